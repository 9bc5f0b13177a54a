"""``motcua-kiosk``: the touch kiosk (``--mode ticket|lookup``) and the rating terminal.

``--mode rating`` is the rating terminal, run by ``kiosk_app.rating.app:run(config)``.
Kivy reads its window settings when first imported, so they are set here, in
``main``, before anything imports Kivy.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kiosk_app.config import KioskConfig, build_parser, hash_pin, resolve

if TYPE_CHECKING:
    from kiosk_app.app import KioskApp, ScannerFactory


def configure_kivy(config: KioskConfig) -> None:
    """Window size and fullscreen, before the first Kivy import; Kivy's own CLI parsing off."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    width, height = config.size
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "0" if config.windowed else "auto")
    Config.set("graphics", "resizable", "1" if config.windowed else "0")
    Config.set("kivy", "exit_on_escape", "1" if config.windowed else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def build_app(config: KioskConfig, *, scanner_factory: ScannerFactory | None = None) -> KioskApp:
    """Wire the API client, the printer, the outbox, the controller and the fleet
    membership into the app."""
    # python-escpos parses its printer profiles on every start unless it may keep a
    # cache; a kiosk restarts often, so keep it beside the outbox.
    cache = config.data_dir / "escpos-cache"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
    from kivy.clock import Clock

    from drivers.printer import open_printer
    from kiosk_app.app import KioskApp
    from kiosk_app.controller import KioskController, KioskSettings
    from kiosk_app.fleet import KioskFleet
    from kiosk_app.offline import Outbox
    from kiosk_app.pin_guard import STATE_FILE, PinGuard
    from queue_server.client import QueueClient

    client = QueueClient(config.server_url, config.token)
    outbox = Outbox(config.data_dir / "kiosk.db").open()
    hardware = config.hardware()

    def printer() -> Any:  # what the fleet configured last, read at each print
        return open_printer(
            hardware.printer_url, paper=hardware.paper, model=hardware.printer_profile
        )

    controller = KioskController(
        client,
        printer,
        outbox,
        KioskSettings(device=config.device),
        on_problem=lambda _problem: fleet.report_now(),
    )
    fleet = KioskFleet(
        config,
        controller,
        hardware,
        schedule=lambda job: Clock.schedule_once(lambda _dt: job()),
        pin_guard=PinGuard(config.data_dir / STATE_FILE),
    )
    return KioskApp(config, controller, fleet, scanner_factory=scanner_factory)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.hash_pin:
        print(hash_pin(args.hash_pin))
        return 0
    config = resolve(args)
    if config.mode == "rating":
        from kiosk_app.rating.app import run

        return int(run(config) or 0)
    configure_kivy(config)
    build_app(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
