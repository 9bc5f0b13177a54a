"""``motcua-board hall`` (the Kivy hall TV), ``motcua-board led-bridge`` and
``motcua-board pair``: wiring only.

Both boards start unattended: the server URL and device token come from
``--server`` / ``--token``, ``MOTCUA_SERVER_URL`` / ``MOTCUA_TOKEN``, or the
``pairing.json`` that ``pair`` (or the hall TV's own pairing screen) stored.
With a token each is a member of the device fleet: it reports its health and
follows the layout or LED map a technician sets on the server; what the command
line gives explicitly wins over it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from device_kit.contract.device_wire import (
    ANNOUNCEMENT_MODES,
    ANNOUNCEMENT_VARIANTS,
    DeviceConfig,
)
from device_kit.errors import ServerUntrusted
from device_kit.event_stream import EventStream, StreamListener
from device_kit.first_pairing import FirstPairing
from device_kit.fleet import FleetFeed, FleetMember
from device_kit.pairing_code import big_code, console_fingerprint
from device_kit.settings import Layers, Setting
from device_kit.ui.kivy_setup import configure_kivy
from display_board.fleet import KIND, board_dir, board_link, board_member
from display_board.hall_wiring import DEFAULT_COLUMNS, stream_config
from display_board.led_bridge import LedBridge, LedRoute
from drivers.logging_setup import configure_logging

log = logging.getLogger(__name__)

CONSOLE_CONFIRM = "Vân tay giống trang Thiết bị? / Same as the fleet page? [y/N] "


def counter_list(text: str) -> list[int]:
    """``"1-8"``, ``"1,2,5-7"``: the counters to show, in order."""
    numbers: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua-board", description=__doc__)
    parser.add_argument("--server", help="queue server URL (MOTCUA_SERVER_URL)")
    parser.add_argument("--token", help="board device token (MOTCUA_TOKEN)")
    parser.add_argument("--site", help="centre code when the server has several")
    parser.add_argument(
        "--pairing",
        type=Path,
        help="server_url, token and trust stored at pairing, used when neither flag nor "
        "environment gives them (default: pairing.json in MOTCUA_BOARD_DIR)",
    )
    parser.add_argument(
        "--ca-file", type=Path, help="the centre's CA certificate (MOTCUA_CA_FILE)"
    )
    parser.add_argument(
        "--fingerprint",
        help="the server CA's SHA-256 fingerprint from the fleet page (MOTCUA_SERVER_FINGERPRINT)",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    hall = commands.add_parser("hall", help="the hall TV board")
    hall.add_argument("--counters", type=counter_list, help="counters to show, e.g. 1-8")
    hall.add_argument(
        "--columns", type=int, help=f"grid columns (server's layout, else {DEFAULT_COLUMNS})"
    )
    hall.add_argument("--languages", choices=("vi", "vi,en"), help="server's layout, else vi,en")
    hall.add_argument("--recent", type=int, default=6, help="how many last calls to list")
    hall.add_argument("--logo", default="", help="logo image file")
    hall.add_argument("--windowed", action="store_true", help="not fullscreen (testing)")
    hall.add_argument("--size", type=size, default=(1920, 1080), help="window WxH")
    hall.add_argument("--audio", choices=("speaker", "wav", "off"), default="speaker")
    hall.add_argument("--wav-dir", type=Path, help="where --audio wav writes announcements")
    hall.add_argument("--clip-dir", type=Path, help="recorded clip pack (else espeak-ng)")
    hall.add_argument(
        "--reading",
        choices=ANNOUNCEMENT_MODES,
        help="numbers digit by digit or as a number (board's config, else the centre's)",
    )
    hall.add_argument(
        "--variant",
        choices=ANNOUNCEMENT_VARIANTS,
        help="northern (linh, nghìn) or southern (lẻ, ngàn) words (board's config, else centre's)",
    )
    hall.add_argument("--also-english", action="store_true", help="announce in English too")
    hall.add_argument(
        "--announce-max-age", type=float, default=60.0, help="drop announcements older than this"
    )
    hall.add_argument(
        "--offline-after", type=float, default=30.0, help="seconds of silence before the mark"
    )
    hall.add_argument("--trace", type=Path, help="append what each drawn frame shows (JSONL)")

    bridge = commands.add_parser("led-bridge", help="counter LED number boards")
    bridge.add_argument(
        "--map",
        dest="routes",
        type=LedRoute.parse,
        action="append",
        help="COUNTER=PORT:ADDRESS, repeated (e.g. 3=/dev/ttyUSB0:3); else the server's map",
    )
    bridge.add_argument("--blink", type=float, default=5.0, help="seconds a new call blinks")

    pairing = commands.add_parser("pair", help="pair this box by a code a technician enters")
    # Also after the command (``sudo -u … motcua-board pair --server URL`` drops the
    # environment); SUPPRESS keeps a ``--server`` given before ``pair``.
    pairing.add_argument(
        "--server", default=argparse.SUPPRESS, help="queue server URL (MOTCUA_SERVER_URL)"
    )
    pairing.add_argument("--ca-file", type=Path, help="the centre's CA (MOTCUA_CA_FILE)")
    pairing.add_argument("--kind", choices=(KIND,), default=KIND, help="device kind to register")
    pairing.add_argument(
        "--hardware", default=socket.gethostname(), help="model or name shown to the technician"
    )
    return parser


def route_list(given: object) -> list[LedRoute]:
    """``--map`` values, or the server's ``COUNTER=PORT:ADDRESS`` texts."""
    assert isinstance(given, list)
    return [r if isinstance(r, LedRoute) else LedRoute.parse(str(r)) for r in given]


LED_ROUTES = Setting[list[LedRoute]]([], flag="routes", pushed="led_routes", parse=route_list)


def led_routes(args: argparse.Namespace, config: DeviceConfig) -> list[LedRoute]:
    """The LED map to follow: the command line's, else the server's ``led_routes``."""
    return Layers.read(args, {}).with_pushed(config).resolve(LED_ROUTES).value


def run_led_bridge(args: argparse.Namespace) -> int:
    config = stream_config(args)
    bridge = LedBridge(led_routes(args, DeviceConfig()), blink_s=args.blink)
    member: FleetMember | None = None
    listener: StreamListener = bridge
    if config.token:
        member = board_member(
            config.server_url,
            config.token,
            role="led-bridge",
            health=bridge.health,
            on_config=lambda c: bridge.reroute(led_routes(args, c)),
            data_dir=board_dir(),
            trust=config.trust,
        )
        bridge.on_link = member.report_now
        listener = FleetFeed(member, bridge)
        member.start()  # a cached map applies before the first frame
    elif not args.routes:
        log.error("no --map, and no token to read the server's map with")
        return 2
    bridge.start()
    stream = EventStream(config, listener).start()
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    stream.stop()
    if member is not None:
        member.stop()
    bridge.stop()
    return 0


class ConsoleView:
    """The pairing on a console: the CA's fingerprint (a fetched one is confirmed by
    typing ``y``), the code drawn large, and why the server is refused."""

    def __init__(self, answer: Callable[[str], str] = input) -> None:
        self.answer = answer
        self.pairing: FirstPairing | None = None

    def show_fingerprint(self, fingerprint: str, confirm: bool) -> None:
        print(console_fingerprint(fingerprint, confirm), flush=True)
        if not confirm or self.pairing is None:
            return
        try:
            said = self.answer(CONSOLE_CONFIRM)
        except EOFError:
            said = ""
        if said.strip().lower() in ("y", "c", "yes", "có"):
            self.pairing.confirm()
        else:
            self.pairing.stop()

    def show_code(self, code: str) -> None:
        print(big_code(code), flush=True)

    def show_problem(self, problem: ServerUntrusted | None) -> None:
        if problem is not None:
            print(problem.screen_text, file=sys.stderr, flush=True)


def run_pair(args: argparse.Namespace, view: ConsoleView | None = None) -> int:
    """The server's CA on the console (a fetched one confirmed by the technician), then
    a code until a technician enters it; then store the pairing and the trust it used."""
    link = board_link(args)
    url = link.server_url.value
    view = view or ConsoleView()
    session = view.pairing = FirstPairing(
        url, args.kind, args.hardware, link.trust_settings, link.pin_store, view
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: session.stop())
    paired = session.run()
    if paired is None or paired.agent.token is None:
        return 1
    link.save_pairing(url, paired.agent.token, paired.trust.recorded())
    print(f"Đã ghép nối / Paired: {paired.agent.name} -> {link.pairing_file.value}", flush=True)
    return 0


def run_hall(args: argparse.Namespace) -> int:
    # Kivy reads its settings when first imported: set them here, never at import time.
    configure_kivy(args.size, args.windowed)
    from display_board.hall_app import HallApp

    app = HallApp(args)
    app.run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(logging.INFO if args.verbose else logging.WARNING)
    if args.command == "led-bridge":
        return run_led_bridge(args)
    if args.command == "pair":
        return run_pair(args)
    return run_hall(args)


if __name__ == "__main__":
    sys.exit(main())
