"""The Kivy hall board reads numbers as the centre set (read with the site's names,
again after a configuration change), unless its own fleet configuration says
otherwise: the board's announcer, its audio queue and a WAV folder as the speaker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server_fixtures import Api
from silent_synth import SilentSynth

from device_kit.contract.device_wire import DeviceConfig
from device_kit.event_stream import Event
from display_board.controller import HallController, HallLayout
from display_board.hall_wiring import BoardVoice
from display_board.main import build_parser
from drivers.audio import Announcer, PlaybackQueue, WavDirSink, spoken_text
from drivers.audio.player import read_timeline

SNAPSHOT: dict[str, Any] = {
    "site": "default",
    "last_event_id": 0,
    "counters": [{"id": 1, "number": 3, "name": "Quầy 3", "state": "open"}],
}


class Board:
    """A hall board's controller and voice, reading the centre through the API."""

    def __init__(self, api: Api, folder: Path, *flags: str) -> None:
        self.sink = WavDirSink(folder, realtime=False)
        self.queue = PlaybackQueue(SilentSynth(), self.sink).start()
        args = build_parser().parse_args(["hall", *flags])
        self.voice = BoardVoice(args, Announcer(self.queue))
        self.controller = HallController(
            HallLayout(),
            self.voice.announcer,
            fetch_site=self.voice.site_reader(lambda: api.call("GET", "/site", "board").json),
        )
        self.controller.on_snapshot(SNAPSHOT)
        self.event_id = 0

    def hears(self, number: str, counter: int = 3) -> str:
        """Call ``number``; what the hall heard."""
        self.event_id += 1
        ticket = {"id": self.event_id, "number": number}
        called = Event(self.event_id, "ticket.called", {"counter": counter, "ticket": ticket})
        self.controller.on_event(called)
        assert self.queue.wait_idle(10)
        return str(read_timeline(self.sink.timeline_path)[-1]["text"])

    def config_changed(self) -> None:
        self.event_id += 1
        self.controller.on_event(Event(self.event_id, "config.changed", {}))

    def stop(self) -> None:
        self.queue.stop()


def said(mode: str, variant: str) -> str:
    return spoken_text("A101", 3, "vi", mode, variant=variant)


def test_the_centres_voice_reaches_the_board_and_a_boards_own_config_wins(
    api: Api, tmp_path: Path
) -> None:
    board = Board(api, tmp_path / "board")
    other = Board(api, tmp_path / "other")
    flagged = Board(api, tmp_path / "flagged", "--reading", "digits")
    try:
        assert board.hears("A101") == said("digits", "north")

        voice = {"announcement_mode": "number", "announcement_variant": "south"}
        assert api.call("PATCH", "/site/voice", "technician", json=voice).status_code == 200
        for each in (board, other, flagged):
            each.config_changed()
        assert board.hears("A101") == said("number", "south")  # "một trăm lẻ một"

        # The technician gives this board northern words; the centre's reading stays.
        me = api.call("GET", "/devices/me", "board").json
        pushed = api.call(
            "PUT", f"/devices/{me['id']}/config", "technician",
            json={"announcement_variant": "north"},
        )
        assert pushed.status_code == 200, pushed.json
        config = api.call("GET", "/devices/me", "board").json["config"]
        board.voice.configured(DeviceConfig.from_wire(config))
        assert board.hears("A101") == said("number", "north")  # "một trăm linh một"
        board.config_changed()  # the centre read again: the board's own setting still wins
        assert board.hears("A101") == said("number", "north")
        assert other.hears("A101") == said("number", "south")
        # What the technician typed on the box itself wins over both.
        assert flagged.hears("A101") == said("digits", "south")
    finally:
        for each in (board, other, flagged):
            each.stop()
