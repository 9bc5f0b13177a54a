"""``motcua-kiosk``: the touch kiosk (``--mode ticket|lookup``) and the rating terminal.

``--mode rating`` is the rating terminal, run by ``kiosk_app.rating.app:run(config)``.
Kivy reads its window settings when first imported, so they are set here, in
``main``, before anything imports Kivy.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from device_kit.ui.kivy_setup import configure_kivy
from drivers.logging_setup import configure_logging
from kiosk_app.config import KioskConfig, build_parser, hash_pin, resolve

if TYPE_CHECKING:
    from kiosk_app.app import KioskApp, ScannerFactory


def build_app(config: KioskConfig, *, scanner_factory: ScannerFactory | None = None) -> KioskApp:
    """Wire the API client, the printer, the outbox, the controller and the fleet
    membership into the app."""
    # python-escpos parses its printer profiles on every start unless it may keep a
    # cache; a kiosk restarts often, so keep it beside the outbox.
    cache = config.data_dir / "escpos-cache"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
    from kivy.clock import Clock

    from device_kit.client import QueueClient
    from drivers.printer import open_printer
    from kiosk_app.app import KioskApp
    from kiosk_app.controller import KioskController, KioskSettings
    from kiosk_app.fleet import KioskFleet
    from kiosk_app.offline import Outbox
    from kiosk_app.pin_guard import STATE_FILE, PinGuard

    client = QueueClient(config.server_url, config.token, trust=config.trust())
    outbox = Outbox(config.data_dir / "kiosk.db").open()
    hardware = config.hardware()

    def printer() -> Any:  # what the fleet configured last, read at each print
        return open_printer(
            hardware.printer_url,
            paper=hardware.paper,
            model=hardware.printer_profile,
            text_mode=hardware.printer_text_mode,
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
    configure_logging(logging.INFO)
    if args.hash_pin:
        print(hash_pin(args.hash_pin))
        return 0
    config = resolve(args)
    if args.show_settings:
        print(config.shown())
        return 0
    configure_kivy(config.size, config.windowed)
    if config.mode == "rating":
        run_rating(config)
    else:
        build_app(config).run()
    return 0


def run_rating(config: KioskConfig) -> None:
    """The rating terminal: the same Kivy start-up, its own app."""
    from dataclasses import replace

    from kiosk_app.rating.app import RatingOptions
    from kiosk_app.rating.terminal import RatingApp

    options = replace(RatingOptions.from_env(), data_dir=config.data_dir)
    RatingApp(
        config.server_url, config.token, options, config.save_pairing, config.trust_settings
    ).run()


if __name__ == "__main__":
    sys.exit(main())
