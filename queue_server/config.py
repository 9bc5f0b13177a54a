"""Server settings: defaults, overridden by ``MOTCUA_*`` environment variables,
overridden by the dict a test or the CLI passes to ``create_app``."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Connections one gunicorn worker holds at once (``server.serve``; the server unit
#: sizes LimitNOFILE to it): event streams
#: plus API requests.
WORKER_CONNECTIONS = 2000
#: Connections of each worker kept for API requests, whatever the streams do.
STREAM_HEADROOM = 400
#: Peers whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed: the reverse
#: proxy on the same box.
LOOPBACK = "127.0.0.0/8,::1"


class SettingsError(ValueError):
    """A setting that cannot be used, in words for the technician who set it."""

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message, self.message_vi = message, message_vi


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    #: Site used when a request names none: the single-site default.
    default_site: str = "default"
    #: How long a signed-in user's bearer token lasts.
    user_token_hours: int = 12
    #: Public base URL printed in the ticket QR code (tracking page). Unset, it is
    #: taken from the request's Host when that is not a loopback address.
    public_url: str = ""
    #: Finished tickets looked at for the estimated wait.
    wait_sample: int = 20
    #: Server processes sharing the database (set by ``motcua-server run``).
    worker_count: int = 1
    #: Open event streams one client address may hold in one worker (boards,
    #: consoles and phones each need one or two).
    max_streams_per_client: int = 30
    #: Open event streams in one worker, below ``WORKER_CONNECTIONS`` by the headroom.
    max_streams: int = WORKER_CONNECTIONS - STREAM_HEADROOM
    #: The centre's CA certificate (``deploy/make-tls.sh``): published at ``/tls/ca.pem``
    #: for devices to pin, its fingerprint shown on the fleet page.
    tls_ca_file: str = "/etc/motcua/tls/ca.crt"
    #: Reverse proxies (addresses or networks) whose forwarded client address and
    #: scheme are believed; ``MOTCUA_TRUSTED_PROXIES`` is a comma-separated list.
    trusted_proxies: tuple[Network, ...] = field(
        default_factory=lambda: parse_networks("MOTCUA_TRUSTED_PROXIES", LOOPBACK)
    )
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
            values[f.name] = _coerce(f"MOTCUA_{f.name.upper()}", f.type, env)
    values.update(overrides or {})
    if "data_dir" in values:
        values["data_dir"] = Path(values["data_dir"])
    settings = Settings(**values)
    if not settings.secret_key:
        settings = replace(settings, secret_key=_stored_secret(settings.data_dir))
    return settings


def parse_networks(name: str, raw: str) -> tuple[Network, ...]:
    """``"127.0.0.1, 172.30.0.0/24"`` as networks; a bare address is a /32 (/128)."""
    try:
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in raw.split(",")
            if part.strip()
        )
    except ValueError:
        raise SettingsError(
            f"{name}={raw!r} is not a comma-separated list of IP addresses or networks.",
            f"{name}={raw!r} không phải là danh sách địa chỉ IP hoặc mạng, cách nhau bởi dấu phẩy.",
        ) from None


def _coerce(name: str, kind: Any, raw: str) -> Any:
    if name == "MOTCUA_TRUSTED_PROXIES":
        return parse_networks(name, raw)
    if kind not in (int, "int"):
        return raw
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(
            f"{name}={raw!r} is not a whole number.", f"{name}={raw!r} không phải là số nguyên."
        ) from None


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
