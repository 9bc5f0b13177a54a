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
import json
import logging
import os
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from display_board.controller import HallController, HallLayout
from display_board.fleet import KIND, PAIRING_FILE, big_code, board_dir, board_member
from display_board.led_bridge import LedBridge, LedRoute
from queue_server.client import QueueClient
from queue_server.client.event_stream import (
    EventStream,
    Liveness,
    StreamConfig,
    StreamListener,
    resolve_server,
)
from queue_server.client.fleet import DeviceAgent, FleetFeed, FleetMember, pair, save_pairing

DEFAULT_COLUMNS = 4
DEFAULT_LANGUAGES = "vi,en"

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
        default=board_dir() / PAIRING_FILE,
        help="server_url and token stored at pairing (used when neither is given)",
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
        help="COUNTER=PORT:ADDRESS, repeated (e.g. 3=/dev/ttyUSB0:3); else the server's map",
    )
    bridge.add_argument("--blink", type=float, default=5.0, help="seconds a new call blinks")

    pairing = commands.add_parser("pair", help="pair this box by a code a technician enters")
    pairing.add_argument("--kind", choices=(KIND,), default=KIND, help="device kind to register")
    pairing.add_argument(
        "--hardware", default=socket.gethostname(), help="model or name shown to the technician"
    )
    return parser


def stream_config(args: argparse.Namespace) -> StreamConfig:
    url, token = resolve_server(args.server, args.token, args.pairing)
    return StreamConfig(url, token, site=args.site)


def led_routes(explicit: list[LedRoute] | None, config: dict[str, Any]) -> list[LedRoute]:
    """The LED map to follow: the command line's, else the server's ``led_routes``."""
    if explicit:
        return explicit
    return [LedRoute.parse(text) for text in config.get("led_routes") or []]


def run_led_bridge(args: argparse.Namespace) -> int:
    config = stream_config(args)
    bridge = LedBridge(args.routes or [], blink_s=args.blink)
    member: FleetMember | None = None
    listener: StreamListener = bridge
    if config.token:
        member = board_member(
            config.server_url,
            config.token,
            role="led-bridge",
            health=bridge.health,
            on_config=lambda c: bridge.reroute(led_routes(args.routes, c)),
            data_dir=board_dir(),
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


def run_pair(args: argparse.Namespace) -> int:
    """Show a code on the console until a technician enters it, then store the pairing."""
    url, _ = resolve_server(args.server, None, None)
    agent = DeviceAgent(url, args.kind, hardware=args.hardware)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())

    def show(code: str) -> None:
        print(big_code(code), flush=True)

    if pair(agent, show, stopped) is None or agent.token is None:
        return 1
    save_pairing(args.pairing, url, agent.token)
    print(f"Đã ghép nối / Paired: {agent.name} -> {args.pairing}", flush=True)
    return 0


def configure_kivy(args: argparse.Namespace) -> None:
    """Kivy reads its settings when first imported: set them here, never at import time."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    Config.set("graphics", "width", str(args.size[0]))
    Config.set("graphics", "height", str(args.size[1]))
    Config.set("graphics", "fullscreen", "0" if args.windowed else "auto")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def run_hall(args: argparse.Namespace) -> int:
    configure_kivy(args)
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
    if args.command == "pair":
        return run_pair(args)
    return run_hall(args)


def hall_layout(args: argparse.Namespace, config: dict[str, Any]) -> HallLayout:
    """The layout from the flags given explicitly, else the server's, else the defaults."""
    counters = args.counters or config.get("board_counters") or None
    languages = args.languages or config.get("languages") or DEFAULT_LANGUAGES
    return HallLayout(
        counters=counters,
        columns=args.columns or config.get("board_columns") or DEFAULT_COLUMNS,
        languages=tuple(languages.split(",")),
        recent_calls=args.recent,
    )


def hall_parts(
    args: argparse.Namespace, on_change: Any
) -> tuple[HallController, EventStream, FleetMember | None]:
    """The controller, the stream feeding it and, with a token, its fleet membership;
    the audio is chosen by ``--audio``."""
    config = stream_config(args)
    liveness = Liveness()
    client = QueueClient(config.server_url, config.token)
    announcer = build_announcer(args)
    controller = HallController(
        hall_layout(args, {}),
        announcer,
        on_change=on_change,
        liveness=liveness,
        fetch_site=client.get_site,
        silence_limit=args.offline_after,
    )
    if not config.token:
        return controller, EventStream(config, controller, liveness=liveness), None
    member = board_member(
        config.server_url,
        config.token,
        role="hall-board",
        health=lambda: {"serial": "", **audio_health(args, announcer)},
        on_config=lambda c: controller.set_layout(hall_layout(args, c)),
        data_dir=board_dir(),
    )
    stream = EventStream(config, FleetFeed(member, controller), liveness=liveness)
    return controller, stream, member


def audio_health(args: argparse.Namespace, announcer: Any) -> dict[str, str]:
    """Whether the hall can hear its calls: ``audio`` for the fleet's flag, ``detail`` for
    the technician ("" when sound is off on purpose)."""
    if announcer is None:
        return {"audio": "", "detail": ""}
    if args.clip_dir is None and shutil.which("espeak-ng") is None:
        return {"audio": "missing", "detail": "Loa: thiếu espeak-ng / audio: espeak-ng missing"}
    if announcer.queue.failing:
        failed = announcer.queue.failed
        return {
            "audio": "failing",
            "detail": f"Loa: đọc số bị lỗi ({failed} lần) / audio: {failed} announcements failed",
        }
    return {"audio": "ok", "detail": ""}


def build_announcer(args: argparse.Namespace) -> Any:
    if args.audio == "off":
        return None
    from drivers.audio import Announcer, CommandSink, PlaybackQueue, WavDirSink, build_synth

    sink = WavDirSink(args.wav_dir or Path("announcements")) if args.audio == "wav" else None
    queue = PlaybackQueue(
        build_synth(args.clip_dir), sink or CommandSink(), max_age=args.announce_max_age
    ).start()
    return Announcer(queue, mode=args.reading, also_english=args.also_english)


def trace_line(numbers: list[str], calls_seen: int, offline: bool, **layout: Any) -> str:
    """One drawn frame for ``--trace``; ``layout``: counters, columns, languages shown."""
    return json.dumps(
        {
            "t": time.time(),
            "at": datetime.now().isoformat(timespec="milliseconds"),
            "numbers": numbers,
            "calls_seen": calls_seen,
            "offline": offline,
            **layout,
        },
        ensure_ascii=False,
    )


if __name__ == "__main__":
    sys.exit(main())
