"""Server settings, one typed model read once at start-up.

Each setting is taken from the first of: the dict a test or the CLI passes to
``create_app``; the environment variable ``MOTCUA_<NAME>``; the settings file named
by ``MOTCUA_SETTINGS_FILE``; the default below. The file is either the same
``MOTCUA_NAME=value`` lines systemd reads (``/etc/motcua/server.env``), so one file
serves both, or TOML with the setting names as keys (``user_token_hours = 12``).
A value that cannot be used stops the start with one line naming the variable
(:class:`SettingsError`, printed by :mod:`queue_server.startup`).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, NonNegativeInt, PositiveInt, ValidationError, field_validator
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Connections one gunicorn worker holds at once (``server.serve``): event streams
#: plus API requests. The server unit's LimitNOFILE and nginx's limits
#: (deploy/nginx/policy.py) are sized to it; tests/integration/test_deploy_files.py
#: checks both.
WORKER_CONNECTIONS = 2000
#: Connections of each worker kept for API requests, whatever the streams do.
STREAM_HEADROOM = 400
#: Peers whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed: the reverse
#: proxy on the same box.
LOOPBACK = "127.0.0.0/8,::1"

ENV_PREFIX = "MOTCUA_"
#: The environment variable naming the optional settings file.
SETTINGS_FILE = f"{ENV_PREFIX}SETTINGS_FILE"


def parse_networks(raw: str) -> tuple[Network, ...]:
    """``"127.0.0.1, 172.30.0.0/24"`` as networks; a bare address is a /32 (/128).
    Raises ValueError for anything else."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()
    )


class SettingsError(ValueError):
    """A setting that cannot be used, in words for the technician who set it."""

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message, self.message_vi = message, message_vi


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    #: Key of the citizen ID hash (``queue_server.citizen_id``); unset, the data
    #: directory's ``citizen_id_key`` file, made at first start.
    citizen_id_key: str = ""
    #: Site used when a request names none: the single-site default.
    default_site: str = "default"
    #: How long a signed-in user's bearer token lasts.
    user_token_hours: PositiveInt = 12
    #: Public base URL printed in the ticket QR code (tracking page). Unset, it is
    #: taken from the request's Host when that is not a loopback address.
    public_url: str = ""
    #: Finished tickets looked at for the estimated wait.
    wait_sample: PositiveInt = 20
    #: Appointment check-in at the kiosk: from this many minutes before the slot ...
    appointment_early_min: NonNegativeInt = 15
    #: ... to this many minutes after its start; later, the booking is released.
    appointment_late_min: NonNegativeInt = 10
    #: Bookings one client address may make per hour on the public booking page.
    bookings_per_address_per_hour: PositiveInt = 10
    #: Server processes sharing the database (set by ``motcua-server run``).
    worker_count: PositiveInt = 1
    #: ``motcua-server run`` instances, on this box and others, sharing one PostgreSQL
    #: (scale-out, docs/scaling.md): the pools of all their workers split its connections.
    app_instances: PositiveInt = 1
    #: Open event streams one client address may hold in one worker (boards,
    #: consoles and phones each need one or two).
    max_streams_per_client: PositiveInt = 30
    #: Open event streams in one worker, below ``WORKER_CONNECTIONS`` by the headroom.
    max_streams: PositiveInt = WORKER_CONNECTIONS - STREAM_HEADROOM
    #: Seconds between the comment lines that keep an idle event stream open
    #: through proxies (tests shorten it).
    sse_heartbeat_s: float = Field(15.0, gt=0, allow_inf_nan=False)
    #: Spoken announcements for the browser board (``queue_server.announcement_audio``):
    #: a recorded clip pack folder in front of espeak-ng (unset: espeak-ng alone) and
    #: how many rendered WAV files the cache keeps. How numbers are read is the
    #: centre's setting (``PATCH /site/voice``).
    announcement_clip_dir: Path | None = None
    announcement_cache_files: PositiveInt = 500
    #: The centre's CA certificate (``deploy/make-tls.sh``): published at ``/tls/ca.pem``
    #: for devices to pin, its fingerprint shown on the fleet page.
    tls_ca_file: str = "/etc/motcua/tls/ca.crt"
    #: Reverse proxies (addresses or networks) whose forwarded client address and
    #: scheme are believed; ``MOTCUA_TRUSTED_PROXIES`` is a comma-separated list.
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = Field(
        LOOPBACK, validate_default=True
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return parse_networks(value)
        except ValueError:
            raise PydanticCustomError("ip_networks", "not IP networks") from None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'motcua.db').resolve()}"

    @property
    def database_processes(self) -> int:
        """Processes whose pools share the PostgreSQL server's connections."""
        return self.worker_count * self.app_instances

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then the settings file, then defaults."""
        named = os.environ.get(SETTINGS_FILE)
        if not named:
            return init_settings, env_settings
        return init_settings, env_settings, _file_source(settings_cls, Path(named))


def _file_source(settings_cls: type[BaseSettings], path: Path) -> PydanticBaseSettingsSource:
    if not path.is_file():
        raise SettingsError(
            f"{SETTINGS_FILE}={str(path)!r}: there is no such file.",
            f"{SETTINGS_FILE}={str(path)!r}: không có tệp này.",
        )
    if path.suffix == ".toml":
        return TomlConfigSettingsSource(settings_cls, toml_file=path)
    return DotEnvSettingsSource(settings_cls, env_file=path, env_file_encoding="utf-8")


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Build the settings once, at start-up; everything else receives them."""
    try:
        settings = Settings(**(overrides or {}))
    except ValidationError as exc:
        raise _refusal(exc.errors()[0]) from None
    if not settings.secret_key:
        settings = settings.model_copy(update={"secret_key": _stored_secret(settings.data_dir)})
    return settings


#: pydantic error type -> what is wrong, in English and Vietnamese.
_PROBLEMS = {
    "int_parsing": ("is not a whole number", "không phải là số nguyên"),
    "int_from_float": ("is not a whole number", "không phải là số nguyên"),
    "float_parsing": ("is not a number", "không phải là số"),
    "finite_number": ("is not a finite number", "không phải là số hữu hạn"),
    "greater_than": ("must be above {gt}", "phải lớn hơn {gt}"),
    "ip_networks": (
        "is not a comma-separated list of IP addresses or networks",
        "không phải là danh sách địa chỉ IP hoặc mạng, cách nhau bởi dấu phẩy",
    ),
}


def _refusal(error: ErrorDetails) -> SettingsError:
    """The first bad value as one sentence naming its variable."""
    name = ENV_PREFIX + "_".join(str(part) for part in error["loc"]).upper()
    shown = f"{name}={str(error['input'])!r}"
    if error["type"] not in _PROBLEMS:
        return SettingsError(f"{shown}: {error['msg']}.", f"{shown} không hợp lệ ({error['msg']}).")
    en, vi = (words.format(**error.get("ctx", {})) for words in _PROBLEMS[error["type"]])
    return SettingsError(f"{shown} {en}.", f"{shown} {vi}.")


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
