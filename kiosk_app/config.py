"""The kiosk's settings: command line first, then ``MOTCUA_*`` variables, then pairing.

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
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from device_kit.fleet import heartbeat_interval, save_pairing
from device_kit.pinning import PINNED_CA_FILE
from device_kit.trust import Trust
from device_kit.trust_settings import TrustSettings

MODES = ("ticket", "lookup", "rating")
PAIRING_FILE = "pairing.json"


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
    fixed: frozenset[str] = frozenset()  # Hardware fields given on the command line or env
    fleet_interval_s: float = 30.0  # heartbeat to the device fleet
    #: The server's CA: ``--ca-file``/``--fingerprint``, environment, or pairing.json.
    trust_settings: TrustSettings = TrustSettings()

    def hardware(self) -> Hardware:
        return Hardware(
            self.printer_url, self.paper, self.printer_profile, self.scanners, self.fixed
        )

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
    this device replaces them while the kiosk runs, except the ``fixed`` ones: the next
    print and the next opening of the lookup screen use the new values."""

    printer_url: str
    paper: int = 80
    printer_profile: str | None = None
    scanners: tuple[str, ...] = ()
    fixed: frozenset[str] = field(default_factory=frozenset)

    def apply(self, config: Mapping[str, Any]) -> None:
        """Take the server's ``printer_url``, ``paper``, ``printer_profile``, ``scanners``
        and ``camera`` (the index of every ``camera:N`` scanner)."""
        wanted: dict[str, Any] = {
            "printer_url": config.get("printer_url"),
            "paper": config.get("paper"),
            "printer_profile": config.get("printer_profile"),
            "scanners": tuple(config["scanners"]) if config.get("scanners") else None,
        }
        for name, value in wanted.items():
            if value is not None and name not in self.fixed:
                setattr(self, name, value)
        camera = config.get("camera")
        if camera is not None and "scanners" not in self.fixed:
            self.scanners = tuple(
                f"camera:{camera}" if s.startswith("camera:") else s for s in self.scanners
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
        "--scanner",
        action="append",
        default=None,
        help="camera:N, serial:///dev/PORT?baudrate=9600 or wedge (repeatable)",
    )
    parser.add_argument("--data-dir", type=Path, help="outbox and pairing (MOTCUA_KIOSK_DIR)")
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    parser.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    parser.add_argument("--size", default=None, help="window size WxH, e.g. 1920x1080")
    parser.add_argument("--device", default=None, help="device id shown to the technician")
    parser.add_argument("--hash-pin", metavar="PIN", help="print the hash of a technician PIN")
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
    data_dir = args.data_dir or Path(
        env.get("MOTCUA_KIOSK_DIR") or Path.home() / ".local/share/motcua-kiosk"
    )
    pairing: dict[str, str] = {}
    pairing_path = data_dir / PAIRING_FILE
    if pairing_path.exists():
        pairing = json.loads(pairing_path.read_text("utf-8"))
    size_text = args.size or env.get("MOTCUA_KIOSK_SIZE") or "1080x1920"
    width, _, height = size_text.lower().partition("x")
    scanners = args.scanner or [
        s for s in (env.get("MOTCUA_SCANNERS") or "wedge").split(",") if s.strip()
    ]
    given = {
        "printer_url": args.printer or env.get("MOTCUA_PRINTER_URL"),
        "paper": args.paper or env.get("MOTCUA_PRINTER_PAPER"),
        "printer_profile": args.printer_profile or env.get("MOTCUA_PRINTER_PROFILE"),
        "scanners": args.scanner or env.get("MOTCUA_SCANNERS"),
    }
    return KioskConfig(
        mode=args.mode,
        server_url=args.server
        or env.get("MOTCUA_SERVER_URL")
        or pairing.get("server_url")
        or "http://127.0.0.1:8000",
        token=args.token or env.get("MOTCUA_TOKEN") or pairing.get("token"),
        data_dir=data_dir,
        printer_url=given["printer_url"] or "tcp://127.0.0.1:9100",
        paper=int(given["paper"] or 80),
        printer_profile=given["printer_profile"],
        fixed=frozenset(name for name, value in given.items() if value),
        scanners=tuple(s.strip() for s in scanners),
        lang=args.lang,
        windowed=args.windowed,
        size=(int(width), int(height)),
        device=args.device or env.get("MOTCUA_DEVICE_ID") or os.uname().nodename,
        pin_hash=env.get("MOTCUA_KIOSK_PIN_HASH") or pairing.get("pin_hash"),
        fleet_interval_s=heartbeat_interval(env),
        trust_settings=TrustSettings.resolve(
            ca_file=args.ca_file, fingerprint=args.fingerprint, env=env, pairing=pairing
        ),
    )


def load(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ) -> KioskConfig:
    return resolve(build_parser().parse_args(argv), env)
