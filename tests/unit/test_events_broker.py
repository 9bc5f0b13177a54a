"""The in-process broker and the stream generator, without a server or database."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from queue_server.events import Broker, Event, Overflow, stream


def event(event_id: int, kind: str = "ticket.called", **fields: Any) -> Event:
    payload = fields.pop("payload", {"counter": 3, "ticket": {"number": f"B{event_id:03d}"}})
    return Event(
        id=event_id,
        site_id=fields.get("site_id", 1),
        kind=kind,
        at="2026-11-25T02:00:00+00:00",
        service_id=fields.get("service_id", 2),
        counter_id=fields.get("counter_id", 3),
        payload=payload,
    )


def test_each_event_reaches_every_subscriber_of_its_site_once() -> None:
    broker = Broker()
    here, also_here, elsewhere = broker.subscribe(1), broker.subscribe(1), broker.subscribe(2)

    broker.publish([event(1), event(2)])
    broker.publish([event(2), event(3)])  # the relay re-reading what was published locally

    assert [e.id for e in here.take(0)] == [1, 2, 3]
    assert [e.id for e in also_here.take(0)] == [1, 2, 3]
    assert elsewhere.take(0) == []


def test_a_closed_subscription_gets_nothing_more() -> None:
    broker = Broker()
    with broker.subscribe(1) as subscription:
        assert broker.subscriber_count() == 1
    broker.publish([event(1)])

    assert broker.subscriber_count() == 0 and subscription.take(0) == []


def test_a_subscriber_too_far_behind_is_told_to_resync() -> None:
    broker = Broker(inbox_size=3)
    subscription = broker.subscribe(1)

    broker.publish([event(i) for i in range(1, 6)])

    with pytest.raises(Overflow):
        subscription.take(0)


def test_take_wakes_up_when_another_thread_publishes() -> None:
    broker = Broker()
    subscription = broker.subscribe(1)
    publisher = threading.Timer(0.05, broker.publish, [[event(7)]])
    publisher.start()

    got = subscription.take(timeout=5)
    publisher.join()

    assert [e.id for e in got] == [7]


def test_public_data_keeps_only_the_listed_fields_of_its_kind_at_any_depth() -> None:
    payload = {
        "counter": 3,
        "officer_id": 7,
        "ticket": {
            "number": "B001",
            "dossier_code": "000.00.06.H56-231027-0361",
            "priority": "disability",
            "source": "user:off1",
            "track_token": "secret",
            "a_field_added_later": "private until listed",
        },
    }

    data = event(1, "ticket.called", payload=payload).public_data()

    assert data == {"counter": 3, "ticket": {"number": "B001"}, "at": data["at"]}


def test_a_kind_without_an_allow_list_carries_nothing_and_is_not_streamed() -> None:
    added_later = event(1, "ticket.reprinted", payload={"number": "B001", "source": "x"})

    assert added_later.public_data() == {"at": added_later.at}
    assert not added_later.matches(None, None)


@pytest.mark.parametrize(
    ("kind", "service_id", "counter_id", "wanted"),
    [
        ("ticket.called", None, None, True),
        ("ticket.called", 2, 3, True),
        ("ticket.called", 5, None, False),
        ("ticket.called", None, 4, False),
        ("auth.signed_in", None, None, False),
        ("accounts.changed", None, None, False),
    ],
)
def test_filters_and_public_kinds(
    kind: str, service_id: int | None, counter_id: int | None, wanted: bool
) -> None:
    assert event(1, kind).matches(service_id, counter_id) is wanted


def test_a_queue_wide_event_passes_a_counter_filter() -> None:
    issued = event(1, "ticket.issued", counter_id=None)
    assert issued.matches(None, 4)


def test_stream_replays_then_skips_live_copies_of_replayed_events() -> None:
    broker = Broker()
    subscription = broker.subscribe(1)
    broker.publish([event(2), event(3)])  # committed while the replay was being read
    body = stream(
        subscription, [event(1), event(2)], heartbeat_s=0.01
    )

    chunks = [next(body).decode() for _ in range(3)]
    body.close()

    assert chunks[0].startswith("retry: ")
    assert [line for line in chunks[1].splitlines() if line.startswith("id:")] == ["id: 1", "id: 2"]
    assert [line for line in chunks[2].splitlines() if line.startswith("id:")] == ["id: 3"]
    assert broker.subscriber_count() == 0


def test_an_idle_stream_sends_a_heartbeat_comment_with_the_last_id() -> None:
    broker = Broker()
    body = stream(
        broker.subscribe(1), [event(4)], heartbeat_s=0.01
    )
    next(body), next(body)

    beat = next(body).decode()
    body.close()

    assert beat.startswith(": heartbeat\n") and '"last_event_id": 4' in beat


def test_a_filtered_stream_is_handed_only_the_events_it_asked_for() -> None:
    broker = Broker()
    counter_4 = broker.subscribe(1, counter_id=4)
    service_2 = broker.subscribe(1, service_id=2)
    everything = broker.subscribe(1)

    broker.publish(
        [
            event(1, counter_id=3),
            event(2, "ticket.issued", counter_id=None),  # queue-wide: reaches every filter
            event(3, counter_id=4, service_id=5),
            event(4, "auth.signed_in"),  # not public: reaches no stream
        ]
    )

    assert [e.id for e in counter_4.take(0)] == [2, 3]
    assert [e.id for e in service_2.take(0)] == [1, 2]
    assert [e.id for e in everything.take(0)] == [1, 2, 3]


def test_an_event_is_serialised_once_for_all_its_streams() -> None:
    broker = Broker()
    streams = [broker.subscribe(1) for _ in range(3)]
    called = event(1)

    broker.publish([called])

    assert "sse" in vars(called)  # built by the fan-out, before any stream sends it
    sent = [s.take(0)[0].sse for s in streams]
    assert all(wire is sent[0] for wire in sent)
    assert sent[0].startswith(b"id: 1\nevent: ticket.called\ndata: {")


def test_a_stream_opened_after_its_group_emptied_gets_events_again() -> None:
    broker = Broker()
    with broker.subscribe(1, service_id=2), broker.subscribe(1, service_id=2):
        assert broker.subscriber_count() == 2
    assert broker.subscriber_count() == 0

    again = broker.subscribe(1, service_id=2)
    broker.publish([event(1)])

    assert [e.id for e in again.take(0)] == [1]
