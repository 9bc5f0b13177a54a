"""The event stream as a board or console sees it: replay after a gap, live calls,
filters, heartbeats, privacy, and the resync signal when too much was missed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_fixtures import Api
from sse_reader import Message, messages, take_events

from queue_server.api import events as events_api


@pytest.fixture
def fast_api(api: Api) -> Iterator[Api]:
    """Heartbeats every 20 ms, so an idle stream yields instead of blocking a test;
    streams opened by the test are closed after it."""
    api.runtime.settings = api.runtime.settings.model_copy(update={"sse_heartbeat_s": 0.02})
    api.streams = []  # type: ignore[attr-defined]
    yield api
    for response in api.streams:  # type: ignore[attr-defined]
        response.close()


def open_stream(
    api: Api, query: str = "", headers: dict[str, str] | None = None
) -> Iterator[Message]:
    response = api.client.get(f"/api/v1/events{query}", headers=headers or {}, buffered=False)
    api.streams.append(response)  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    stream = messages(response.response)
    hello = next(stream)  # the stream is subscribed once its first block arrived
    assert hello.comment and hello.id is None
    return stream


def last_event_id(api: Api) -> int:
    return api.call("GET", "/queue").json["last_event_id"]


def test_reconnect_with_last_event_id_gets_exactly_the_50_missed_events_in_order(
    fast_api: Api,
) -> None:
    api = fast_api
    api.issue("ho-tich")
    seen_before_disconnect = last_event_id(api)
    issued = [api.issue("dat-dai")["number"] for _ in range(50)]

    stream = open_stream(api, headers={"Last-Event-ID": str(seen_before_disconnect)})
    replay = take_events(stream, 51, limit=200)

    assert len(replay) == 50
    ids = [m.id for m in replay]
    assert ids == list(range(seen_before_disconnect + 1, seen_before_disconnect + 51))
    assert [m.kind for m in replay] == ["ticket.issued"] * 50
    assert [m.data["number"] for m in replay] == issued


def test_since_query_replays_like_the_header_and_the_header_wins(fast_api: Api) -> None:
    api = fast_api
    start = last_event_id(api)
    first = api.issue("ho-tich")["number"]
    middle = last_event_id(api)
    second = api.issue("ho-tich")["number"]

    by_query = take_events(open_stream(api, f"?since={start}"), 2, limit=50)
    by_header = take_events(
        open_stream(api, f"?since={start}", headers={"Last-Event-ID": str(middle)}), 1, limit=50
    )

    assert [m.data["number"] for m in by_query] == [first, second]
    assert [m.data["number"] for m in by_header] == [second]


def test_a_call_reaches_an_open_stream_without_the_visitor_secrets(fast_api: Api) -> None:
    api = fast_api
    ticket = api.issue("ho-tich")
    stream = open_stream(api)  # no Last-Event-ID: live only

    assert api.desk(3, "call-next").status_code == 200
    (called,) = take_events(stream, 1, limit=100)

    assert called.kind == "ticket.called"
    assert called.data["ticket"]["number"] == ticket["number"]
    assert called.data["counter"] == 3
    for hidden in ("track_token", "dossier_code", "actor"):
        assert hidden not in called.data and hidden not in called.data["ticket"]


def test_the_issued_event_on_the_stream_hides_the_tracking_token(fast_api: Api) -> None:
    api = fast_api
    stream = open_stream(api)
    ticket = api.issue("ho-tich")

    (issued,) = take_events(stream, 1, limit=100)

    assert issued.data["number"] == ticket["number"]
    assert "track_token" not in issued.data and "track_url" not in issued.data
    assert ticket["track_token"] not in str(issued.data)


def test_counter_filter_keeps_own_counter_and_queue_wide_events(fast_api: Api) -> None:
    api = fast_api
    api.issue("ho-tich")
    api.issue("ho-tich")
    stream = open_stream(api, "?counter=3")

    api.desk(4, "call-next")
    api.desk(3, "call-next")
    issued = api.issue("ho-tich")["number"]
    got = take_events(stream, 2, limit=200)

    assert [(m.kind, m.data.get("counter")) for m in got] == [
        ("ticket.called", 3),
        ("ticket.issued", None),
    ]
    assert got[1].data["number"] == issued


def test_service_filter_drops_other_services(fast_api: Api) -> None:
    api = fast_api
    stream = open_stream(api, "?service=dat-dai")
    api.issue("ho-tich")
    wanted = api.issue("dat-dai")["number"]

    (got,) = take_events(stream, 1, limit=100)

    assert got.data["number"] == wanted


def test_an_idle_stream_sends_heartbeat_comments(fast_api: Api) -> None:
    stream = open_stream(fast_api)

    beat = next(stream)

    assert beat.comment and beat.kind == "heartbeat" and beat.id is None


def test_too_many_missed_events_ask_the_client_to_resync(
    fast_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events_api, "REPLAY_LIMIT", 3)
    for _ in range(5):
        fast_api.issue("ho-tich")

    stream = open_stream(fast_api, "?since=0")

    assert [m.kind for m in stream] == ["resync"]


def test_unknown_counter_or_bad_last_event_id_is_refused(fast_api: Api) -> None:
    assert fast_api.call("GET", "/events?counter=99").status_code == 404
    bad = fast_api.call("GET", "/events", headers={"Last-Event-ID": "abc"})
    assert bad.status_code == 400 and bad.json["error"]["code"]


def test_recent_calls_lists_the_newest_calls_first(fast_api: Api) -> None:
    api = fast_api
    numbers = [api.issue("ho-tich")["number"] for _ in range(3)]
    for counter in (3, 4, 3):
        api.desk(counter, "call-next")

    calls = api.call("GET", "/events/recent-calls?limit=2").json["calls"]

    assert [(c["ticket"]["number"], c["counter"]) for c in calls] == [
        (numbers[2], 3),
        (numbers[1], 4),
    ]
