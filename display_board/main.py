"""``motcua-board hall`` (the Kivy hall TV) and ``motcua-board led-bridge``: wiring only.

Both start unattended: the server URL and device token come from ``--server`` /
``--token`` or ``MOTCUA_SERVER_URL`` / ``MOTCUA_TOKEN``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from display_board.controller import HallController, HallLayout
from display_board.led_bridge import LedBridge, LedRoute
from queue_server.client import QueueClient
from queue_server.client.event_stream import EventStream, Liveness, StreamConfig, resolve_server

log = logging.getLogger(__name__)


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
        default=Path(os.environ.get("MOTCUA_BOARD_DIR", "~/.local/share/motcua-board")).expanduser()
        / "pairing.json",
        help="server_url and token stored at pairing (used when neither is given)",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)

    hall = commands.add_parser("hall", help="the hall TV board")
    hall.add_argument("--counters", type=counter_list, help="counters to show, e.g. 1-8")
    hall.add_argument("--columns", type=int, default=4)
    hall.add_argument("--languages", default="vi,en", help="vi or vi,en")
    hall.add_argument("--recent", type=int, default=6, help="how many last calls to list")
    hall.add_argument("--logo", default="", help="logo image file")
    hall.add_argument("--windowed", action="store_true", help="not fullscreen (testing)")
    hall.add_argument("--size", type=size, default=(1920, 1080), help="window WxH")
    hall.add_argument("--audio", choices=("speaker", "wav", "off"), default="speaker")
    hall.add_argument("--wav-dir", type=Path, help="where --audio wav writes announcements")
    hall.add_argument("--clip-dir", type=Path, help="recorded clip pack (else espeak-ng)")
    hall.add_argument("--reading", choices=("digits", "number"), default="digits")
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
        required=True,
        help="COUNTER=PORT:ADDRESS, repeated (e.g. 3=/dev/ttyUSB0:3)",
    )
    bridge.add_argument("--blink", type=float, default=5.0, help="seconds a new call blinks")
    return parser


def stream_config(args: argparse.Namespace) -> StreamConfig:
    url, token = resolve_server(args.server, args.token, args.pairing)
    return StreamConfig(url, token, site=args.site)


def run_led_bridge(args: argparse.Namespace) -> int:
    bridge = LedBridge(args.routes, blink_s=args.blink).start()
    stream = EventStream(stream_config(args), bridge).start()
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    stream.stop()
    bridge.stop()
    return 0


def run_hall(args: argparse.Namespace) -> int:
    # Kivy reads its settings when first imported: set them here, never at import time.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    Config.set("graphics", "width", str(args.size[0]))
    Config.set("graphics", "height", str(args.size[1]))
    Config.set("graphics", "fullscreen", "0" if args.windowed else "auto")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    from display_board.hall_app import HallApp

    app = HallApp(args)
    app.run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "led-bridge":
        return run_led_bridge(args)
    return run_hall(args)


def hall_parts(args: argparse.Namespace, on_change: Any) -> tuple[HallController, EventStream]:
    """The controller and the stream feeding it; the audio is chosen by ``--audio``."""
    config = stream_config(args)
    liveness = Liveness()
    client = QueueClient(config.server_url, config.token)
    controller = HallController(
        HallLayout(
            counters=args.counters,
            columns=args.columns,
            languages=tuple(args.languages.split(",")),
            recent_calls=args.recent,
        ),
        build_announcer(args),
        on_change=on_change,
        liveness=liveness,
        fetch_site=client.get_site,
        silence_limit=args.offline_after,
    )
    return controller, EventStream(config, controller, liveness=liveness)


def build_announcer(args: argparse.Namespace) -> Any:
    if args.audio == "off":
        return None
    from drivers.audio import Announcer, CommandSink, PlaybackQueue, WavDirSink, build_synth

    sink = WavDirSink(args.wav_dir or Path("announcements")) if args.audio == "wav" else None
    queue = PlaybackQueue(
        build_synth(args.clip_dir), sink or CommandSink(), max_age=args.announce_max_age
    ).start()
    return Announcer(queue, mode=args.reading, also_english=args.also_english)


def trace_line(numbers: list[str], calls_seen: int, offline: bool) -> str:
    return json.dumps(
        {
            "t": time.time(),
            "at": datetime.now().isoformat(timespec="milliseconds"),
            "numbers": numbers,
            "calls_seen": calls_seen,
            "offline": offline,
        },
        ensure_ascii=False,
    )


if __name__ == "__main__":
    sys.exit(main())
