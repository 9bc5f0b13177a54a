"""The hall board's parts, built from its command line: the controller with its
layout and announcer, the event stream feeding it, and its fleet membership.

Both ``motcua-board hall`` (main) and the Kivy app (hall_app) build from here, so
neither imports the other.
"""

from __future__ import annotations

import argparse
import json
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from device_kit.client import QueueClient
from device_kit.contract.device_wire import DeviceConfig
from device_kit.event_stream import EventStream, Liveness, StreamConfig
from device_kit.fleet import FleetFeed, FleetMember
from device_kit.settings import Layers, Setting
from display_board.controller import HallController, HallLayout
from display_board.fleet import board_dir, board_link, board_member

DEFAULT_COLUMNS = 4
COUNTERS = Setting[list[int] | None](None, flag="counters", pushed="board_counters")
COLUMNS = Setting(DEFAULT_COLUMNS, flag="columns", pushed="board_columns")
LANGUAGES = Setting("vi,en", flag="languages", pushed="languages")
#: How numbers are read: this board's flag, else its fleet config, else the centre's.
READING = Setting(
    "digits", flag="reading", pushed="announcement_mode", site="announcement_mode"
)
VARIANT = Setting(
    "north", flag="variant", pushed="announcement_variant", site="announcement_variant"
)


def stream_config(args: argparse.Namespace) -> StreamConfig:
    link = board_link(args)
    return StreamConfig(
        link.server_url.value, link.token.value, site=args.site, trust=link.trust()
    )


def hall_layout(args: argparse.Namespace, config: DeviceConfig) -> HallLayout:
    """The layout from the flags given explicitly, else the server's, else the defaults."""
    layers = Layers.read(args, {}).with_pushed(config)
    return HallLayout(
        counters=layers.resolve(COUNTERS).value,
        columns=layers.resolve(COLUMNS).value,
        languages=tuple(layers.resolve(LANGUAGES).value.split(",")),
        recent_calls=args.recent,
    )


def hall_parts(
    args: argparse.Namespace, on_change: Any
) -> tuple[HallController, EventStream, FleetMember | None]:
    """The controller, the stream feeding it and, with a token, its fleet membership;
    the audio is chosen by ``--audio``."""
    config = stream_config(args)
    liveness = Liveness()
    client = QueueClient(config.server_url, config.token, trust=config.trust)
    announcer = build_announcer(args)
    voice = BoardVoice(args, announcer)
    controller = HallController(
        hall_layout(args, DeviceConfig()),
        announcer,
        on_change=on_change,
        liveness=liveness,
        fetch_site=voice.site_reader(client.get_site),
        fetch_recent=client.recent_calls,
        silence_limit=args.offline_after,
    )
    if not config.token:
        return controller, EventStream(config, controller, liveness=liveness), None
    member = board_member(
        config.server_url,
        config.token,
        role="hall-board",
        health=lambda: {"serial": "", **audio_health(args, announcer)},
        on_config=lambda c: configured(controller, voice, hall_layout(args, c), c),
        data_dir=board_dir(),
        trust=config.trust,
    )
    stream = EventStream(config, FleetFeed(member, controller), liveness=liveness)
    return controller, stream, member


def configured(
    controller: HallController, voice: BoardVoice, layout: HallLayout, config: DeviceConfig
) -> None:
    """A technician's configuration arrived: the layout and the voice follow it."""
    controller.set_layout(layout)
    voice.configured(config)


class BoardVoice:
    """How the board's announcer reads numbers, kept to the places that say it: the
    board's flags (applied at once), its fleet configuration (pushed, on the fleet
    thread) and the centre's setting (read with the site's names, on the stream thread)."""

    def __init__(self, args: argparse.Namespace, announcer: Any) -> None:
        self.args = args
        self.announcer = announcer
        self._config = DeviceConfig()
        self._site: Mapping[str, object] = {}
        self._lock = threading.Lock()
        self._apply()

    def current(self) -> tuple[str, str]:
        """The reading and the regional words, as the strongest place says."""
        with self._lock:
            layers = Layers.read(self.args, {}).with_pushed(self._config).with_site(self._site)
        return layers.resolve(READING).value, layers.resolve(VARIANT).value

    def configured(self, config: DeviceConfig) -> None:
        with self._lock:
            self._config = config
        self._apply()

    def site_reader(
        self, fetch: Callable[[], dict[str, Any]]
    ) -> Callable[[], dict[str, Any]]:
        """``fetch`` (the controller's read of the centre), following the centre's voice."""

        def read() -> dict[str, Any]:
            site = fetch()
            with self._lock:
                self._site = site
            self._apply()
            return site

        return read

    def _apply(self) -> None:
        if self.announcer is not None:
            self.announcer.set_voice(*self.current())


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
    return Announcer(queue, also_english=args.also_english)  # BoardVoice sets the reading


def trace_line(numbers: list[str], calls_seen: int, offline: bool, **layout: Any) -> str:
    """One drawn frame for ``--trace``; ``layout``: counters, columns, languages and the
    last calls (newest first) shown."""
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
