"""The hall board controller: each call announced once in order, recalls again,
the newest call lit for a while, and the offline mark after the silence limit."""

from __future__ import annotations

from typing import Any

from device_kit.event_stream import Event, LinkState
from display_board.controller import HallController, HallLayout
from display_board.led_bridge import LedRoute
from display_board.main import build_parser, counter_list


class FakeAnnouncer:
    def __init__(self) -> None:
        self.said: list[tuple[str, int, bool]] = []
        self.called_back: list[str] = []

    def announce(
        self, number: str, counter: int, *, recall: bool = False, returning: bool = False
    ) -> None:
        self.said.append((number, counter, recall))
        if returning:
            self.called_back.append(number)

    def stop(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def snapshot(last_event_id: int) -> dict[str, Any]:
    return {
        "site": "default",
        "last_event_id": last_event_id,
        "counters": [
            {"id": n, "number": n, "name": f"Quầy {n}", "state": "open", "current_ticket": None}
            for n in (1, 2, 3)
        ],
    }


def call(event_id: int, counter: int, number: str, kind: str = "ticket.called") -> Event:
    return Event(event_id, kind, {"counter": counter, "ticket": {"id": event_id, "number": number}})


def build(clock: Clock, **layout: Any) -> tuple[HallController, FakeAnnouncer, list[int]]:
    announcer = FakeAnnouncer()
    changes: list[int] = []
    controller = HallController(
        HallLayout(**layout),
        announcer,
        on_change=lambda: changes.append(1),
        clock=clock,
        silence_limit=30,
        fetch_site=lambda: {"name_vi": "Trung tâm Phục vụ hành chính công"},
    )
    return controller, announcer, changes


def test_calls_are_announced_once_in_order_and_a_recall_again() -> None:
    clock = Clock()
    controller, announcer, changes = build(clock)
    controller.on_snapshot(snapshot(10))
    for event in (call(11, 2, "A001"), call(12, 3, "B001"), call(12, 3, "B001")):
        controller.on_event(event)
    controller.on_event(call(13, 2, "A001", "ticket.recalled"))
    controller.on_snapshot(snapshot(13))  # a reconnect: nothing is re-read
    controller.on_event(call(13, 2, "A001", "ticket.recalled"))

    assert announcer.said == [("A001", 2, False), ("B001", 3, False), ("A001", 2, True)]
    assert len(changes) == 7
    assert controller.view().site_info == {"name_vi": "Trung tâm Phục vụ hành chính công"}


def test_a_resumed_visitor_is_announced_as_coming_back() -> None:
    controller, announcer, _ = build(Clock())
    controller.on_snapshot(snapshot(10))
    ticket = {"id": 7, "number": "A001"}
    for event_id, kind, counter in (
        (11, "ticket.called", 2),
        (12, "ticket.parked", 2),
        (13, "ticket.resumed", 3),
    ):
        controller.on_event(Event(event_id, kind, {"counter": counter, "ticket": ticket}))

    assert announcer.said == [("A001", 2, False), ("A001", 3, False)]
    assert announcer.called_back == ["A001"]
    tiles = {tile.number: tile.current for tile in controller.view().tiles}
    assert (tiles[2], tiles[3]) == ("", "A001")


def test_the_newest_call_is_lit_for_the_highlight_time() -> None:
    clock = Clock()
    controller, _, _ = build(clock, highlight_s=10)
    controller.on_snapshot(snapshot(0))
    controller.on_event(call(1, 1, "A001"))
    controller.on_event(call(2, 3, "B001"))
    assert [t.highlighted for t in controller.view().tiles] == [False, False, True]
    clock.now += 10.5
    assert [t.highlighted for t in controller.view().tiles] == [False, False, False]


def test_the_offline_mark_shows_after_the_silence_limit_and_keeps_the_state() -> None:
    clock = Clock()
    controller, _, _ = build(clock, counters=[3, 1])
    controller.on_snapshot(snapshot(0))
    controller.on_event(call(1, 3, "B001"))
    controller.on_state(LinkState.OFFLINE)
    clock.now += 30
    assert not controller.view().offline
    clock.now += 1
    view = controller.view()
    assert view.offline
    assert [(t.number, t.current) for t in view.tiles] == [(3, "B001"), (1, "")]
    controller.on_state(LinkState.LIVE)
    assert not controller.view().offline


def test_counter_lists_from_the_command_line() -> None:
    assert counter_list("1-4") == [1, 2, 3, 4]
    assert counter_list("1,3, 7-9") == [1, 3, 7, 8, 9]


def test_led_bridge_command_line_maps_counters_to_ports_and_addresses() -> None:
    args = build_parser().parse_args(
        ["--server", "http://127.0.0.1:8000", "led-bridge", "--map", "3=/dev/ttyUSB0:3"]
        + ["--map", "12=/dev/ttyUSB1:1"]
    )
    assert args.routes == [LedRoute(3, "/dev/ttyUSB0", 3), LedRoute(12, "/dev/ttyUSB1", 1)]


def test_a_failing_site_read_does_not_stop_the_calls() -> None:
    def broken() -> dict[str, Any]:
        raise ConnectionError("server busy")

    announcer = FakeAnnouncer()
    controller = HallController(HallLayout(), announcer, fetch_site=broken)
    controller.on_snapshot(snapshot(0))
    controller.on_event(call(1, 1, "A001"))
    controller.on_event(Event(2, "config.changed", {}))
    assert announcer.said == [("A001", 1, False)]
    assert controller.view().tiles[0].current == "A001"


def recent_row(
    event_id: int, counter: int, number: str, kind: str = "ticket.called"
) -> dict[str, Any]:
    return {"id": event_id, "kind": kind, "counter": counter, "ticket": {"number": number}}


def test_a_restarted_board_lists_the_last_calls_without_announcing_them() -> None:
    asked: list[int] = []

    def fetch_recent(limit: int) -> list[dict[str, Any]]:
        asked.append(limit)
        return [recent_row(9, 3, "B002", "ticket.recalled"), recent_row(8, 1, "A001")]

    announcer = FakeAnnouncer()
    controller = HallController(
        HallLayout(recent_calls=4), announcer, on_change=lambda: None, clock=Clock(),
        fetch_recent=fetch_recent,
    )
    controller.on_snapshot(snapshot(10))
    controller.on_event(call(11, 2, "C003"))
    controller.on_snapshot(snapshot(11))  # a reconnect keeps the list it has

    shown = [(c.number, c.counter, c.recall) for c in controller.view().recent]
    assert shown == [("C003", 2, False), ("B002", 3, True), ("A001", 1, False)]
    assert announcer.said == [("C003", 2, False)]
    assert asked == [4]


def test_a_board_that_cannot_read_the_last_calls_still_shows_the_live_ones() -> None:
    def fetch_recent(limit: int) -> list[dict[str, Any]]:
        raise ConnectionError("the server is restarting")

    controller = HallController(
        HallLayout(), FakeAnnouncer(), on_change=lambda: None, clock=Clock(),
        fetch_recent=fetch_recent,
    )
    controller.on_snapshot(snapshot(10))
    controller.on_event(call(11, 2, "C003"))

    assert [c.number for c in controller.view().recent] == ["C003"]
