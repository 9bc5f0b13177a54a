"""Server settings: defaults, overridden by ``MOTCUA_*`` environment variables,
overridden by the dict a test or the CLI passes to ``create_app``."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    #: Site used when a request names none: the single-site default.
    default_site: str = "default"
    #: How long a signed-in user's bearer token lasts.
    user_token_hours: int = 12
    #: Public base URL printed in the ticket QR code (tracking page).
    public_url: str = "http://127.0.0.1:8000"
    #: Finished tickets looked at for the estimated wait.
    wait_sample: int = 20
    #: The centre's CA certificate (``deploy/make-tls.sh``): published at ``/tls/ca.pem``
    #: for devices to pin, its fingerprint shown on the fleet page.
    tls_ca_file: str = "/etc/motcua/tls/ca.crt"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'motcua.db').resolve()}"


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Build the settings once, at start-up; everything else receives them."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        env = os.environ.get(f"MOTCUA_{f.name.upper()}")
        if env is not None and f.name != "extra":
            values[f.name] = _coerce(f.type, env)
    values.update(overrides or {})
    if "data_dir" in values:
        values["data_dir"] = Path(values["data_dir"])
    settings = Settings(**values)
    if not settings.secret_key:
        settings = replace(settings, secret_key=_stored_secret(settings.data_dir))
    return settings


def _coerce(kind: Any, raw: str) -> Any:
    return int(raw) if kind in (int, "int") else raw


def _stored_secret(data_dir: Path) -> str:
    """A secret kept in the data dir, so sessions survive restarts without setup."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
