"""Park and resume through the REST API, on SQLite and PostgreSQL: a visitor sent to
photocopy a paper keeps their number, the counter serves the next one, and any
counter of the service calls them back; the hall hears only where to go, never why."""

from __future__ import annotations

import threading
from typing import Any

from server_fixtures import Api
from sqlalchemy import func, select
from sse_reader import messages

from queue_server.adapters.tables import events
from queue_server.queueing.errors import QueueError
from queue_server.runtime import Runtime
from queue_server.services.counter_actions import Actor, CounterDesk, act
from queue_server.services.site_ref import SiteRef


def _park_first(api: Api, reason: str = "photocopy") -> dict[str, Any]:
    """Issue a ho-tich ticket, call it to counter 3 and park it there."""
    ticket = api.issue("ho-tich")
    assert api.desk(3, "call-next", "officer").json["number"] == ticket["number"]
    parked = api.desk(3, "park", "officer", json={"reason": reason})
    assert parked.status_code == 200, parked.json
    return ticket


def test_a_parked_visitor_keeps_the_number_and_comes_back_to_another_counter(api: Api) -> None:
    assert api.desk(3, "sign-in", "officer").status_code == 200
    assert api.desk(4, "sign-in", "officer2").status_code == 200
    ticket = _park_first(api)
    behind = api.issue("ho-tich")

    assert api.desk(3, "call-next", "officer").json["number"] == behind["number"]
    assert api.desk(3, "finish", "officer").status_code == 200
    assert api.desk(3, "call-next", "officer").status_code == 204  # parked is not waiting
    tracked = api.call("GET", f"/track/{ticket['track_token']}").json
    assert (tracked["state"], tracked["counter"]) == ("parked", 3)
    listed = api.call("GET", f"/counters/{api.counters[4]}/parked", "officer2")
    assert listed.status_code == 200
    [row] = listed.json["tickets"]
    assert (row["number"], row["counter"], row["park_reason_vi"]) == (
        ticket["number"],
        3,
        "Đi photo giấy tờ",
    )
    api.runtime.clock.advance(minutes=7)

    resumed = api.desk(4, "resume-parked", "officer2", json={"ticket_id": row["id"]})

    assert resumed.status_code == 200, resumed.json
    assert (resumed.json["number"], resumed.json["state"], resumed.json["counter"]) == (
        ticket["number"],
        "called",
        4,
    )
    assert resumed.json["id"] == ticket["id"]  # the same entry: no new number
    state = api.call("GET", f"/counters/{api.counters[4]}", "officer2").json
    assert state["current_ticket"]["number"] == ticket["number"]
    assert api.call("GET", f"/counters/{api.counters[4]}/parked", "officer2").json == {
        "tickets": []
    }
    calls = api.call("GET", "/events/recent-calls", "board").json["calls"]
    assert (calls[0]["kind"], calls[0]["counter"]) == ("ticket.resumed", 4)


def test_the_stream_says_where_a_parked_visitor_goes_never_why(api: Api) -> None:
    api.runtime.settings = api.runtime.settings.model_copy(update={"sse_heartbeat_s": 0.02})
    assert api.desk(3, "sign-in", "officer").status_code == 200
    ticket = _park_first(api, "Đi lấy bản gốc giấy khai sinh")
    assert api.desk(3, "resume-parked", "officer", json={"number": ticket["number"]}).json

    response = api.client.get("/api/v1/events?since=0", buffered=False)
    try:
        replay = []
        for message in messages(response.response):
            if message.kind == "heartbeat":
                break
            if message.id is not None:
                replay.append(message)
    finally:
        response.close()

    parked = next(m for m in replay if m.kind == "ticket.parked")
    resumed = next(m for m in replay if m.kind == "ticket.resumed")
    assert (parked.data["counter"], parked.data["ticket"]["state"]) == (3, "parked")
    assert (resumed.data["counter"], resumed.data["ticket"]["number"]) == (3, ticket["number"])
    for message in (parked, resumed):
        assert "reason" not in message.data
        assert "giấy khai sinh" not in str(message.data)
        assert "dossier_code" not in message.data["ticket"]


def test_park_and_resume_refusals_come_in_the_error_shape(api: Api) -> None:
    assert api.desk(3, "sign-in", "officer").status_code == 200
    nobody = api.desk(3, "park", "officer", json={"reason": "photocopy"})
    assert (nobody.status_code, nobody.json["error"]["code"]) == (409, "no_current_ticket")
    ticket = _park_first(api)
    both = {"number": ticket["number"], "ticket_id": ticket["id"]}
    assert api.desk(3, "resume-parked", "officer", json=both).status_code == 400
    assert api.desk(3, "park", "officer", json={"reason": "  "}).status_code == 400
    elsewhere = api.desk(1, "resume-parked", json={"number": ticket["number"]})  # đất đai
    assert elsewhere.status_code == 404 and elsewhere.json["error"]["message_vi"]
    api.issue("ho-tich")
    api.desk(3, "call-next", "officer")
    busy = api.desk(3, "resume-parked", "officer", json={"number": ticket["number"]})
    assert (busy.status_code, busy.json["error"]["code"]) == (409, "counter_busy")
    assert api.desk(4, "resume-parked", json={"number": ticket["number"]}).status_code == 200
    assert api.desk(3, "finish", "officer").status_code == 200
    again = api.desk(3, "resume-parked", "officer", json={"number": ticket["number"]})
    assert (again.status_code, again.json["error"]["code"]) == (409, "ticket_not_parked")
    assert ticket["number"] in again.json["error"]["message_vi"]


def test_only_the_counters_staff_read_why_visitors_stepped_away(api: Api) -> None:
    assert api.desk(3, "sign-in", "officer").status_code == 200
    _park_first(api, "pay_fee")
    path = f"/counters/{api.counters[4]}/parked"
    for who in (None, "board", "kiosk", "technician", "keypad3", "officer"):
        assert api.call("GET", path, who).status_code in (401, 403), who
    for who in ("supervisor", "admin"):
        assert api.call("GET", path, who).json["tickets"][0]["park_reason"] == "pay_fee"
    own = api.call("GET", f"/counters/{api.counters[3]}/parked", "keypad3")
    assert own.json["tickets"][0]["counter"] == 3


def test_two_counters_resuming_one_parked_visitor_exactly_one_wins(api: Api) -> None:
    """Both press "resume" at once, round after round: one calls the visitor back, the
    other is told 409 in the error shape; the visitor is called back once."""
    runtime = api.runtime
    assert api.desk(3, "sign-in", "officer").status_code == 200
    for _ in range(4):
        ticket = _park_first(api)
        outcomes = _resume_at_once(runtime, [api.counters[3], api.counters[4]], ticket["number"])
        assert sorted(outcomes.values()) == ["409 ticket_not_parked", "ok"], outcomes
        winner = next(c for c, outcome in outcomes.items() if outcome == "ok")
        number = next(n for n, c in api.counters.items() if c == winner)
        assert api.desk(number, "finish").json["number"] == ticket["number"]
    with runtime.uow(readonly=True) as uow:
        resumed = uow.session.scalar(
            select(func.count()).where(events.c.kind == "ticket.resumed")
        )
    assert resumed == 4


def _resume_at_once(runtime: Runtime, counter_ids: list[int], number: str) -> dict[int, str]:
    barrier = threading.Barrier(len(counter_ids))
    outcomes: dict[int, str] = {}

    def press(counter_id: int) -> None:
        barrier.wait(timeout=10)
        try:
            act(
                runtime.uow,
                SiteRef(code="default"),
                counter_id,
                Actor("user:admin"),
                runtime.clock(),
                lambda desk: CounterDesk.resume_parked(desk, number),
            )
            outcomes[counter_id] = "ok"
        except QueueError as exc:  # the loser's refusal: the API answers its status and code
            outcomes[counter_id] = f"{exc.status} {exc.code}"

    threads = [threading.Thread(target=press, args=(c,)) for c in counter_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
