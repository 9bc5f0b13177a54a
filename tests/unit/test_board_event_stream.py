"""The SSE decoding and link liveness the devices rely on."""

from __future__ import annotations

from queue_server.event_stream import HEARTBEAT, Event, Liveness, decode_lines


def test_events_heartbeats_and_multiline_data_are_decoded() -> None:
    lines = [
        ": keep-alive",
        "id: 7",
        "event: ticket.called",
        'data: {"counter": 2,',
        'data:  "ticket": {"number": "A023"}}',
        "",
        "retry: 1000",
        "",
        "id: 8",
        "event: counter.paused",
        'data: {"reason": "Nghỉ trưa"}',
        "",
    ]
    items = list(decode_lines(lines))
    assert items == [
        HEARTBEAT,
        Event(7, "ticket.called", {"counter": 2, "ticket": {"number": "A023"}}),
        Event(8, "counter.paused", {"reason": "Nghỉ trưa"}),
    ]


def test_messages_without_numeric_id_or_json_are_skipped() -> None:
    lines = ["event: x", "data: {}", "", "id: 3", "data: not json", "", "id: 4", "data: {}", ""]
    assert list(decode_lines(lines)) == [Event(4, "message", {})]


def test_a_message_cut_before_its_blank_line_is_not_delivered() -> None:
    assert list(decode_lines(["id: 9", "event: ticket.called", "data: {}"])) == []


def test_liveness_counts_silence_from_the_last_sign_of_life() -> None:
    now = [100.0]
    live = Liveness(lambda: now[0])
    assert live.is_silent()
    live.heard()
    now[0] += 30.0
    assert not live.is_silent(30.0)
    now[0] += 0.5
    assert live.is_silent(30.0)
    assert live.silent_for() == 30.5
