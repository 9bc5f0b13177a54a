"""The boards' fleet pieces without a server: the layout and LED map a technician sets
(flags given on the command line win), the pairing file, the code on the console,
the configuration announcements passed to the fleet member, and a hall view that
carries the layout the screen must draw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from device_kit.contract.device_wire import DeviceConfig
from device_kit.event_stream import Event, LinkState
from device_kit.fleet import FleetFeed, heartbeat_interval, save_pairing
from device_kit.pairing_code import big_code
from display_board.controller import HallController, HallLayout
from display_board.fleet import board_dir
from display_board.hall_wiring import hall_layout
from display_board.led_bridge import LedRoute
from display_board.main import build_parser, led_routes

PUSHED = DeviceConfig(board_counters=[3, 1], board_columns=2, languages="vi")


def test_the_servers_layout_applies_where_no_flag_was_given() -> None:
    args = build_parser().parse_args(["hall"])
    assert hall_layout(args, DeviceConfig()) == HallLayout(None, 4, ("vi", "en"), 6)
    assert hall_layout(args, PUSHED) == HallLayout([3, 1], 2, ("vi",), 6)


def test_flags_given_on_the_command_line_win_over_the_server() -> None:
    args = build_parser().parse_args(["hall", "--counters", "1-3", "--languages", "vi,en"])
    assert hall_layout(args, PUSHED) == HallLayout([1, 2, 3], 2, ("vi", "en"), 6)


def test_the_led_map_comes_from_the_server_unless_given() -> None:
    pushed = DeviceConfig(led_routes=["3=/dev/ttyUSB0:3", "12=/dev/serial/by-id/usb-LED:1"])
    unmapped = build_parser().parse_args(["led-bridge"])
    assert led_routes(unmapped, pushed) == [
        LedRoute(3, "/dev/ttyUSB0", 3),
        LedRoute(12, "/dev/serial/by-id/usb-LED", 1),
    ]
    assert led_routes(unmapped, DeviceConfig()) == []
    mapped = build_parser().parse_args(["led-bridge", "--map", "1=/dev/ttyS0:9"])
    assert led_routes(mapped, pushed) == [LedRoute(1, "/dev/ttyS0", 9)]
    assert unmapped.routes is None  # --map is optional


def test_a_pushed_layout_reaches_the_view_and_asks_for_a_frame() -> None:
    changes: list[int] = []
    controller = HallController(HallLayout(), None, on_change=lambda: changes.append(1))
    controller.set_layout(HallLayout([3, 1], 2, ("vi",)))
    view = controller.view()
    assert changes == [1]
    assert ([t.number for t in view.tiles], view.columns, view.languages) == ([3, 1], 2, ("vi",))


def test_pairing_is_stored_for_this_user_only(tmp_path: Path) -> None:
    path = tmp_path / "box" / "pairing.json"
    save_pairing(path, "http://10.0.0.2:8000", "secret")
    save_pairing(path, "http://10.0.0.3:8000", "newer")  # paired again: replaced
    assert json.loads(path.read_text()) == {"server_url": "http://10.0.0.3:8000", "token": "newer"}
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["pairing.json"]


def test_the_code_is_drawn_big_with_what_to_do_in_both_languages() -> None:
    text = big_code("120458")
    rows = text.splitlines()
    assert "Mã / Code: 120 458" in rows
    assert "Ghép nối thiết bị / Device pairing" == rows[0]
    assert sum("██" in row for row in rows) == 5
    assert "Kỹ thuật viên nhập mã này trên trang Thiết bị của máy chủ." in rows


def test_settings_from_the_environment() -> None:
    assert board_dir({"MOTCUA_BOARD_DIR": "/var/lib/motcua-board"}) == Path("/var/lib/motcua-board")
    assert board_dir({}).name == "motcua-board"
    assert heartbeat_interval({"MOTCUA_HEARTBEAT_S": "0.5"}) == 0.5
    assert heartbeat_interval({}) == 30.0


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    def on_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.seen.append(snapshot)

    def on_event(self, event: Event) -> None:
        self.seen.append(event)

    def on_state(self, state: LinkState) -> None:
        self.seen.append(state)


class Member:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))


@pytest.mark.parametrize("kind", ["config.device", "ticket.called"])
def test_the_feed_gives_the_member_every_event_and_the_board_everything(kind: str) -> None:
    board, member = Recorder(), Member()
    feed = FleetFeed(member, board)  # type: ignore[arg-type]
    event = Event(5, kind, {"device": "board-1", "revision": 2})
    feed.on_snapshot({"last_event_id": 4})
    feed.on_event(event)
    feed.on_state(LinkState.LIVE)
    assert board.seen == [{"last_event_id": 4}, event, LinkState.LIVE]
    assert member.events == [(kind, {"device": "board-1", "revision": 2})]


def test_pair_takes_the_server_and_ca_file_after_the_command_or_before() -> None:
    url = "https://motcua.local"
    after = build_parser().parse_args(["pair", "--server", url, "--ca-file", "/etc/motcua/ca.crt"])
    before = build_parser().parse_args(["--server", url, "pair"])
    assert after.server == before.server == url
    assert str(after.ca_file) == "/etc/motcua/ca.crt" and before.ca_file is None
    assert build_parser().parse_args(["pair"]).server is None  # then MOTCUA_SERVER_URL
