"""The hall board's model: snapshot plus events, each call announced exactly once."""

from __future__ import annotations

from typing import Any

from device_kit.event_stream import Event
from display_board.board_state import BoardModel, Call


def ticket(number: str, ticket_id: int, service: str = "ho-tich") -> dict[str, Any]:
    return {"id": ticket_id, "number": number, "service": service}


def snapshot(last_event_id: int, current: dict[int, dict[str, Any] | None]) -> dict[str, Any]:
    return {
        "site": "default",
        "last_event_id": last_event_id,
        "counters": [
            {
                "id": 10 + n,
                "number": n,
                "name": f"Quầy {n}",
                "state": "open",
                "pause_reason": None,
                "current_ticket": t,
            }
            for n, t in current.items()
        ],
    }


def called(event_id: int, counter: int, number: str, ticket_id: int, recall: bool = False) -> Event:
    kind = "ticket.recalled" if recall else "ticket.called"
    return Event(event_id, kind, {"counter": counter, "ticket": ticket(number, ticket_id)})


def test_a_fresh_board_shows_the_snapshot_and_does_not_reannounce_the_past() -> None:
    model = BoardModel()
    model.apply_snapshot(snapshot(40, {1: ticket("A001", 1), 2: None}))

    assert [(t.number, t.current) for t in model.tiles()] == [(1, "A001"), (2, None)]
    assert model.apply(called(40, 1, "A001", 1)) is None
    assert model.apply(called(41, 2, "B001", 2)) == Call(41, "B001", 2, "ho-tich")
    assert model.tiles()[1].current == "B001"
    assert model.tiles()[1].called_by == 41


def test_recall_is_announced_again_and_marked_as_recall() -> None:
    model = BoardModel()
    model.apply_snapshot(snapshot(0, {3: None}))
    first = model.apply(called(1, 3, "A005", 5))
    again = model.apply(called(2, 3, "A005", 5, recall=True))

    assert first == Call(1, "A005", 3, "ho-tich", recall=False)
    assert again == Call(2, "A005", 3, "ho-tich", recall=True)
    assert [c.number for c in model.recent] == ["A005"]


def test_the_same_event_twice_is_announced_once() -> None:
    model = BoardModel()
    model.apply_snapshot(snapshot(0, {1: None}))
    assert model.apply(called(1, 1, "A001", 1)) is not None
    assert model.apply(called(1, 1, "A001", 1)) is None


def test_resync_after_outage_announces_missed_calls_once_and_keeps_snapshot_state() -> None:
    model = BoardModel()
    model.apply_snapshot(snapshot(5, {1: None, 2: None}))
    model.apply(called(6, 1, "A001", 1))
    # Offline: calls 7 and 8 happened, then counter 1 finished (9). The reconnect
    # brings the snapshot first (at 9), then the replay from event 6.
    model.apply_snapshot(snapshot(9, {1: None, 2: ticket("B002", 3)}))
    assert model.tiles()[0].current is None
    replay = [
        called(6, 1, "A001", 1),
        called(7, 2, "B001", 2),
        called(8, 2, "B002", 3),
        Event(9, "ticket.finished", {"counter": 1, "ticket": ticket("A001", 1)}),
    ]
    announced = [call.number for e in replay if (call := model.apply(e))]

    assert announced == ["B001", "B002"]
    assert [(t.number, t.current) for t in model.tiles()] == [(1, None), (2, "B002")]
    assert [c.number for c in model.recent] == ["B002", "B001", "A001"]


def test_finish_no_show_and_transfer_clear_the_counter_only_for_its_own_ticket() -> None:
    model = BoardModel()
    model.apply_snapshot(snapshot(0, {1: None}))
    model.apply(called(1, 1, "A001", 1))
    model.apply(Event(2, "ticket.finished", {"counter": 1, "ticket": ticket("A000", 99)}))
    assert model.tiles()[0].current == "A001"
    for event_id, kind in enumerate(("ticket.no_show", "ticket.transferred"), start=3):
        model.apply(called(event_id * 10, 1, "A001", 1))
        model.apply(Event(event_id * 10 + 1, kind, {"counter": 1, "ticket": ticket("A001", 1)}))
        assert model.tiles()[0].current is None


def test_pause_and_resume_show_on_the_counter() -> None:
    model = BoardModel()
    model.apply_snapshot(snapshot(0, {4: None}))
    model.apply(Event(1, "counter.paused", {"counter": 4, "reason": "Họp giao ban"}))
    tile = model.tiles()[0]
    assert tile.paused and tile.pause_reason == "Họp giao ban"
    model.apply(Event(2, "counter.resumed", {"counter": 4}))
    assert not model.tiles()[0].paused


def test_recent_calls_are_bounded_and_newest_first() -> None:
    model = BoardModel(recent_size=3)
    model.apply_snapshot(snapshot(0, {1: None}))
    for i in range(1, 6):
        model.apply(called(i, 1, f"A{i:03}", i))
    assert [c.number for c in model.recent] == ["A005", "A004", "A003"]
    assert model.newest_call == Call(5, "A005", 1, "ho-tich")


def test_configured_counters_missing_on_the_server_show_as_closed() -> None:
    model = BoardModel()
    model.apply_snapshot(snapshot(0, {1: ticket("A001", 1)}))
    tiles = model.tiles([1, 7])
    assert [(t.number, t.current, t.state) for t in tiles] == [
        (1, "A001", "open"),
        (7, None, "closed"),
    ]
