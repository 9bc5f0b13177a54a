"""The kiosk's settings, read like every device's (:mod:`device_kit.settings`): command
line, then ``MOTCUA_*`` variables, then pairing, then what the server pushed.

Started unattended, a kiosk finds its server URL and device token in
``--server``/``--token``, or ``MOTCUA_SERVER_URL``/``MOTCUA_TOKEN``, or the
``pairing.json`` the technician screen stored in the data directory; the server's CA
likewise (``--ca-file``/``--fingerprint``, :mod:`device_kit.trust_settings`).

The devices it drives (printer URL, paper, printer profile, scanners) are also
set by a technician on the server and pulled by the kiosk (issue 9), which may
change them while it runs (:class:`Hardware`). A setting given explicitly on the
command line or in the environment wins over the server's: it is how a
technician pins a kiosk to a device on site.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from device_kit.contract.device_wire import PRINTER_TEXT_MODES, DeviceConfig, PrinterTextMode
from device_kit.fleet import HEARTBEAT_S, save_pairing
from device_kit.link_settings import LinkSettings
from device_kit.pinning import PINNED_CA_FILE
from device_kit.settings import LOCAL, Layers, Resolved, Setting, Source, pushed_over, shown
from device_kit.trust import Trust
from device_kit.trust_settings import TrustSettings

MODES = ("ticket", "lookup", "rating")
PAIRING_FILE = "pairing.json"


def window_size(given: object) -> tuple[int, int]:
    """``"1080x1920"`` (or the pair itself)."""
    if isinstance(given, tuple):
        return given
    width, _, height = str(given).lower().partition("x")
    return int(width), int(height)


def text_mode(given: object) -> PrinterTextMode:
    """``auto``, ``codepage`` or ``raster``."""
    for mode in PRINTER_TEXT_MODES:
        if str(given) == mode:
            return mode
    raise ValueError(f"printer text mode must be one of {PRINTER_TEXT_MODES}, not {given!r}")


def scanner_list(given: object) -> tuple[str, ...]:
    """``"camera:0, wedge"`` or a list of them."""
    items = str(given).split(",") if isinstance(given, str) else given
    assert isinstance(items, list | tuple)
    return tuple(text for item in items if (text := str(item).strip()))


DATA_DIR = Setting(
    Path("~/.local/share/motcua-kiosk"),
    flag="data_dir", env="MOTCUA_KIOSK_DIR", parse=lambda v: Path(str(v)).expanduser(),
)
SIZE = Setting((1080, 1920), flag="size", env="MOTCUA_KIOSK_SIZE", parse=window_size)
DEVICE = Setting(os.uname().nodename, flag="device", env="MOTCUA_DEVICE_ID", parse=str)
PIN_HASH = Setting[str | None](None, env="MOTCUA_KIOSK_PIN_HASH", pairing="pin_hash", parse=str)
PRINTER_URL = Setting(
    "tcp://127.0.0.1:9100", flag="printer", env="MOTCUA_PRINTER_URL", pushed="printer_url",
    parse=str,
)
PAPER = Setting(
    80, flag="paper", env="MOTCUA_PRINTER_PAPER", pushed="paper", parse=lambda v: int(str(v))
)
PRINTER_PROFILE = Setting[str | None](
    None, flag="printer_profile", env="MOTCUA_PRINTER_PROFILE", pushed="printer_profile",
    parse=str,
)
PRINTER_TEXT_MODE = Setting[PrinterTextMode](
    "auto", flag="printer_text_mode", env="MOTCUA_PRINTER_TEXT_MODE", pushed="printer_text_mode",
    parse=text_mode,
)
SCANNERS = Setting[tuple[str, ...]](
    ("wedge",), flag="scanner", env="MOTCUA_SCANNERS", pushed="scanners", parse=scanner_list
)
#: What the kiosk drives, which the server may set (``DeviceConfig``) unless given here.
HARDWARE: dict[str, Setting[object]] = {
    "printer_url": PRINTER_URL,
    "paper": PAPER,
    "printer_profile": PRINTER_PROFILE,
    "printer_text_mode": PRINTER_TEXT_MODE,
    "scanners": SCANNERS,
}
#: Shown hidden by ``--show-settings``.
SECRETS = frozenset({"token", "pin_hash"})


@dataclass(frozen=True)
class KioskConfig:
    mode: str
    server_url: str
    token: str | None
    data_dir: Path
    printer_url: str
    paper: int = 80
    scanners: tuple[str, ...] = ()
    lang: str = "vi"
    windowed: bool = False
    size: tuple[int, int] = (1080, 1920)
    device: str = "kiosk"
    pin_hash: str | None = None
    idle_s: float = 60.0
    printer_profile: str | None = None
    printer_text_mode: PrinterTextMode = "auto"
    fleet_interval_s: float = HEARTBEAT_S  # heartbeat to the device fleet
    #: The server's CA: ``--ca-file``/``--fingerprint``, environment, or pairing.json.
    trust_settings: TrustSettings = TrustSettings()
    #: Each setting as :func:`resolve` found it, with where it came from (none for a
    #: configuration made in code: its values count as defaults).
    resolved: Mapping[str, Resolved[object]] = field(default_factory=dict)

    def hardware(self) -> Hardware:
        sources = {name: got.source for name, got in self.resolved.items() if name in HARDWARE}
        return Hardware(
            self.printer_url,
            self.paper,
            self.printer_profile,
            self.scanners,
            sources,
            printer_text_mode=self.printer_text_mode,
        )

    def shown(self) -> str:
        """Every setting, its value (secrets hidden) and where it came from."""
        return shown(self.resolved, SECRETS)

    @property
    def pin_store(self) -> Path:
        """Where a CA pinned by its fingerprint is kept: beside ``pairing.json``."""
        return self.data_dir / PINNED_CA_FILE

    def trust(self) -> Trust:
        return self.trust_settings.trust(self.pin_store)

    def save_pairing(
        self, server_url: str, token: str, trust: Mapping[str, str] | None = None
    ) -> None:
        """Keep a new token (and the trust pairing used); other entries of the file (the
        PIN hash) stay as they were."""
        save_pairing(self.data_dir / PAIRING_FILE, server_url, token, trust)


@dataclass
class Hardware:
    """The printer and scanners the kiosk drives now. The server's configuration for
    this device replaces them while the kiosk runs, except those the technician set
    on the kiosk itself: the next print and the next opening of the lookup screen use
    the new values."""

    printer_url: str
    paper: int = 80
    printer_profile: str | None = None
    scanners: tuple[str, ...] = ()
    sources: dict[str, Source] = field(default_factory=dict)
    printer_text_mode: PrinterTextMode = "auto"

    def apply(self, config: DeviceConfig) -> None:
        """Take the server's ``printer_url``, ``paper``, ``printer_profile``,
        ``printer_text_mode``, ``scanners``
        and ``camera`` (the index of every ``camera:N`` scanner)."""
        for name, setting in HARDWARE.items():
            now = Resolved(getattr(self, name), self.sources.get(name, Source.DEFAULT))
            after = pushed_over(now, setting, config)
            setattr(self, name, after.value)
            self.sources[name] = after.source
        if config.camera is not None and self.sources.get("scanners") not in LOCAL:
            self.scanners = tuple(
                f"camera:{config.camera}" if s.startswith("camera:") else s for s in self.scanners
            )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua-kiosk", description="Touch kiosk of motcua")
    parser.add_argument("--mode", choices=MODES, default="ticket")
    parser.add_argument("--server", help="queue server URL (or MOTCUA_SERVER_URL)")
    parser.add_argument("--token", help="device token (or MOTCUA_TOKEN)")
    parser.add_argument("--ca-file", type=Path, help="the centre's CA (or MOTCUA_CA_FILE)")
    parser.add_argument(
        "--fingerprint",
        help="the server CA's SHA-256 fingerprint from the fleet page (MOTCUA_SERVER_FINGERPRINT)",
    )
    parser.add_argument("--printer", help="printer URL, e.g. tcp://127.0.0.1:9100")
    parser.add_argument("--paper", type=int, choices=(58, 80), default=None)
    parser.add_argument("--printer-profile", help="python-escpos profile, e.g. TM-T88V")
    parser.add_argument(
        "--printer-text-mode",
        choices=PRINTER_TEXT_MODES,
        default=None,
        help="Vietnamese as code-page text (auto, codepage) or images (raster)",
    )
    parser.add_argument(
        "--scanner",
        action="append",
        default=None,
        help="camera:N, serial:///dev/PORT?baudrate=9600 or wedge (repeatable)",
    )
    parser.add_argument("--data-dir", type=Path, help="outbox and pairing (MOTCUA_KIOSK_DIR)")
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    parser.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    parser.add_argument(
        "--size", type=window_size, default=None, help="window size WxH, e.g. 1920x1080"
    )
    parser.add_argument("--device", default=None, help="device id shown to the technician")
    parser.add_argument("--hash-pin", metavar="PIN", help="print the hash of a technician PIN")
    parser.add_argument(
        "--show-settings",
        action="store_true",
        help="print each setting and where it came from (flag, environment, pairing, default)",
    )
    return parser


def hash_pin(pin: str) -> str:
    return PasswordHasher().hash(pin)


def pin_matches(pin_hash: str | None, pin: str) -> bool:
    """False without a configured hash: the technician screen then stays shut."""
    if not pin_hash or not pin:
        return False
    try:
        return PasswordHasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def resolve(args: argparse.Namespace, env: Mapping[str, str] = os.environ) -> KioskConfig:
    layers = Layers.read(args, env)
    found = layers.resolve(DATA_DIR)
    data_dir = Resolved(found.value.expanduser(), found.source)
    pairing_file = data_dir.value / PAIRING_FILE
    layers = layers.with_pairing(pairing_file)
    link = LinkSettings.from_layers(layers, Resolved(pairing_file, data_dir.source))
    printer_url, paper = layers.resolve(PRINTER_URL), layers.resolve(PAPER)
    profile, scanners = layers.resolve(PRINTER_PROFILE), layers.resolve(SCANNERS)
    text_mode_setting = layers.resolve(PRINTER_TEXT_MODE)
    size, device, pin_hash = layers.resolve(SIZE), layers.resolve(DEVICE), layers.resolve(PIN_HASH)
    return KioskConfig(
        mode=args.mode,
        server_url=link.server_url.value,
        token=link.token.value,
        data_dir=data_dir.value,
        printer_url=printer_url.value,
        paper=paper.value,
        printer_profile=profile.value,
        printer_text_mode=text_mode_setting.value,
        scanners=scanners.value,
        lang=args.lang,
        windowed=args.windowed,
        size=size.value,
        device=device.value,
        pin_hash=pin_hash.value,
        fleet_interval_s=link.heartbeat_s.value,
        trust_settings=link.trust_settings,
        resolved={
            **link.report(), "data_dir": data_dir,
            "device": device, "size": size, "pin_hash": pin_hash, "printer_url": printer_url,
            "paper": paper, "printer_profile": profile, "scanners": scanners,
            "printer_text_mode": text_mode_setting,
        },
    )


def load(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ) -> KioskConfig:
    return resolve(build_parser().parse_args(argv), env)
