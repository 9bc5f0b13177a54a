"""What anonymous callers and device tokens see of the floor: the public fields only.

A visitor's dossier code, priority group and tracking token, the name of the
staff member who issued or serves a ticket, and user ids never reach the hall
board, the stream, a phone or a device that did not issue the ticket; staff
keep their full views.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from server_fixtures import Api
from sse_reader import messages

DOSSIER = "000.00.06.H56-231027-0361"
#: Keys that carry a visitor's or a staff member's identity.
PRIVATE = {
    "dossier_code",
    "priority",
    "priority_label_vi",
    "priority_label_en",
    "track_token",
    "track_url",
    "source",
    "officer_id",
    "actor",
    "user",
}


def keys(value: Any) -> set[str]:
    """Every key at any depth of a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def assert_public(body: Any, ticket: dict[str, Any]) -> None:
    text = json.dumps(body, ensure_ascii=False)
    assert not keys(body) & PRIVATE, keys(body) & PRIVATE
    for secret in (DOSSIER, ticket["track_token"], "user:officer", "elderly"):
        assert secret not in text, secret


@pytest.fixture
def floor(api: Api) -> Iterator[tuple[Api, dict[str, Any]]]:
    """An elderly visitor with a dossier, issued by an officer and called to counter 3."""
    api.runtime.settings = api.runtime.settings.model_copy(update={"sse_heartbeat_s": 0.02})
    assert api.desk(3, "sign-in", "officer").status_code == 200
    body = {"service": "ho-tich", "priority": "elderly", "dossier_code": DOSSIER}
    issued = api.call("POST", "/tickets", "officer", json=body)
    assert issued.status_code == 201
    assert api.desk(3, "call-next", "officer").json["number"] == issued.json["number"]
    yield api, issued.json


def test_the_snapshot_shows_the_called_number_but_no_visitor_or_officer(
    floor: tuple[Api, dict[str, Any]],
) -> None:
    api, ticket = floor
    for who in (None, "board", "rating", "kiosk", "technician"):
        snapshot = api.call("GET", "/queue", who).json
        counter3 = next(c for c in snapshot["counters"] if c["number"] == 3)
        assert counter3["current_ticket"]["number"] == ticket["number"], who
        assert counter3["current_ticket"]["service_name_vi"], who
        assert_public(snapshot, ticket)

    staff = api.call("GET", "/queue", "officer").json
    current = next(c for c in staff["counters"] if c["number"] == 3)["current_ticket"]
    assert (current["dossier_code"], current["priority"]) == (DOSSIER, "elderly")


def test_counters_show_no_officer_to_the_public(floor: tuple[Api, dict[str, Any]]) -> None:
    api, ticket = floor
    listed = api.call("GET", "/counters").json["counters"]
    assert [c["number"] for c in listed][:2] == [1, 2] and listed[0]["services"]
    assert_public(listed, ticket)
    for who in ("board", "rating", "keypad3"):
        desk = api.call("GET", f"/counters/{api.counters[3]}", who)
        assert desk.status_code == 200, who
        assert desk.json["current_ticket"]["number"] == ticket["number"]
        assert_public(desk.json, ticket)

    staff = api.call("GET", f"/counters/{api.counters[3]}", "supervisor").json
    assert staff["officer_id"] is not None
    assert staff["current_ticket"]["source"] == "user:officer"


def test_every_event_on_the_stream_is_public(floor: tuple[Api, dict[str, Any]]) -> None:
    api, ticket = floor
    for action, body in (
        ("recall", {}),
        ("start", {}),
        ("transfer", {"service": "dat-dai"}),
        ("pause", {"reason": "nghỉ giải lao"}),
        ("resume", {}),
    ):
        assert api.desk(3, action, "officer", json=body).status_code == 200, action
    api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich", "dossier_code": DOSSIER})
    assert api.desk(3, "call-next", "officer").status_code == 200
    assert api.desk(3, "finish", "officer").status_code == 200

    response = api.client.get("/api/v1/events?since=0", buffered=False)
    try:
        replay = []
        for message in messages(response.response):
            if message.kind == "heartbeat":
                break  # the replay comes whole before the first heartbeat
            if message.id is not None:
                replay.append(message)
    finally:
        response.close()

    kinds = {m.kind for m in replay}
    assert {"ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving"} <= kinds
    assert {"ticket.transferred", "ticket.finished", "counter.signed_in"} <= kinds
    assert {"counter.paused", "counter.resumed"} <= kinds
    for message in replay:
        assert_public(message.data, ticket)
    called = next(m for m in replay if m.kind == "ticket.called")
    assert (called.data["counter"], called.data["ticket"]["number"]) == (3, ticket["number"])
    paused = next(m for m in replay if m.kind == "counter.paused")
    assert paused.data["reason"] == "nghỉ giải lao"

    calls = api.call("GET", "/events/recent-calls").json["calls"]
    assert calls[0]["ticket"]["number"] and calls[0]["counter"] == 3
    assert_public(calls, ticket)


def test_tracking_shows_only_the_ticket_position(floor: tuple[Api, dict[str, Any]]) -> None:
    api, ticket = floor
    tracked = api.call("GET", f"/track/{ticket['track_token']}").json
    assert (tracked["number"], tracked["state"], tracked["counter"]) == (
        ticket["number"],
        "called",
        3,
    )
    assert_public(tracked, ticket)


def test_a_ticket_is_read_whole_only_by_staff_and_the_kiosk_that_issued_it(
    floor: tuple[Api, dict[str, Any]],
) -> None:
    api, by_officer = floor
    body = {"service": "ho-tich", "priority": "elderly", "dossier_code": DOSSIER}
    by_kiosk = api.call("POST", "/tickets", "kiosk", json=body).json
    for who in ("board", "rating"):
        seen = api.call("GET", f"/tickets/{by_kiosk['id']}", who)
        assert seen.status_code == 200, who
        assert (seen.json["number"], seen.json["ahead"]) == (by_kiosk["number"], 0)
        assert_public(seen.json, by_kiosk)

    own = api.call("GET", f"/tickets/{by_kiosk['id']}", "kiosk")
    assert own.status_code == 200 and own.json["track_token"] == by_kiosk["track_token"]
    foreign = api.call("GET", f"/tickets/{by_officer['id']}", "kiosk")
    assert foreign.status_code == 404 and foreign.json["error"]["code"] == "unknown_ticket"

    staff = api.call("GET", f"/tickets/{by_kiosk['id']}", "officer").json
    assert (staff["dossier_code"], staff["priority"]) == (DOSSIER, "elderly")
