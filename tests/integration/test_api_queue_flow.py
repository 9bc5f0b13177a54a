"""The queue through the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

from server_fixtures import Api


def test_issue_then_call_next_serves_fifo_and_numbers_per_service(api: Api) -> None:
    first = api.issue("ho-tich")
    second = api.issue("ho-tich")
    other = api.issue("dat-dai")
    assert (first["number"], second["number"], other["number"]) == ("B001", "B002", "A001")
    assert first["ahead"] == 0 and second["ahead"] == 1
    assert second["estimated_wait_s"] > 0
    assert api.call("GET", f"/tickets/{first['id']}", "board").json["state"] == "waiting"

    called = api.desk(3, "call-next")
    assert called.status_code == 200
    assert called.json["number"] == "B001" and called.json["counter"] == 3
    assert api.desk(3, "call-next").json["number"] == "B002"
    assert api.call("GET", f"/tickets/{first['id']}", "board").json["state"] == "done"
    assert api.desk(3, "call-next").status_code == 204


def test_strict_policy_calls_priority_first_in_issue_order(api: Api) -> None:
    api.issue("ho-tich")
    elderly = api.issue("ho-tich", "elderly")
    disabled = api.issue("ho-tich", "disability")
    assert elderly["ahead"] == 0 and disabled["ahead"] == 1
    order = [api.desk(3, "call-next").json["number"] for _ in range(3)]
    assert order == [elderly["number"], disabled["number"], "B001"]


def test_interleaved_policy_serves_one_priority_after_every_three_normal(api: Api) -> None:
    normal = [api.issue("dat-dai")["number"] for _ in range(5)]
    priority = [api.issue("dat-dai", "elderly")["number"] for _ in range(2)]
    order = [api.desk(1, "call-next").json["number"] for _ in range(7)]
    assert order == normal[:3] + priority[:1] + normal[3:5] + priority[1:]


def test_counter_serving_two_services_takes_the_oldest_head(api: Api) -> None:
    land = api.issue("dat-dai")
    api.runtime.clock.advance(seconds=5)
    build = api.issue("xay-dung")
    assert api.desk(2, "call-next").json["number"] == land["number"]
    assert api.desk(2, "call-next").json["number"] == build["number"]


def test_recall_counts_and_turns_into_no_show_after_the_limit(api: Api) -> None:
    ticket = api.issue()
    api.desk(3, "call-next")
    for expected in (1, 2, 3):
        assert api.desk(3, "recall").json["recall_count"] == expected
    last = api.desk(3, "recall").json
    assert last["state"] == "no_show"
    assert api.call("GET", f"/tickets/{ticket['id']}", "board").json["state"] == "no_show"
    refused = api.desk(3, "recall")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "no_current_ticket"


def test_call_specific_number_and_no_show_can_be_called_back(api: Api) -> None:
    api.issue()
    second = api.issue()
    called = api.desk(3, "call", json={"number": second["number"].lower()})
    assert called.json["number"] == second["number"]
    assert api.desk(3, "no-show").json["state"] == "no_show"
    again = api.desk(3, "call", json={"number": second["number"]})
    assert again.status_code == 200 and again.json["state"] == "called"
    missing = api.desk(3, "call", json={"number": "B999"})
    assert missing.status_code == 404
    assert "B999" in missing.json["error"]["message_vi"]


def test_transfer_keeps_number_and_place_by_issue_time(api: Api) -> None:
    moved = api.issue("ho-tich")
    api.runtime.clock.advance(minutes=1)
    later = api.issue("ldtbxh")
    api.desk(3, "call-next")
    result = api.desk(3, "transfer", json={"service": "ldtbxh"})
    assert result.status_code == 200
    assert result.json["number"] == moved["number"] and result.json["service"] == "ldtbxh"
    assert api.call("GET", f"/tickets/{moved['id']}", "board").json["state"] == "transferred"
    # Counter 4 serves ho-tich and ldtbxh: the transferred visitor was there first.
    assert api.desk(4, "call-next").json["number"] == moved["number"]
    tracked = api.call("GET", f"/track/{moved['track_token']}").json
    assert tracked["service"] == "ldtbxh" and tracked["state"] == "called"
    assert tracked["counter"] == 4
    assert api.desk(4, "call-next").json["number"] == later["number"]


def test_pause_blocks_calls_until_resume(api: Api) -> None:
    api.issue()
    paused = api.desk(3, "pause", json={"reason": "Họp giao ban"})
    assert paused.json["state"] == "paused" and paused.json["pause_reason"] == "Họp giao ban"
    refused = api.desk(3, "call-next")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "counter_paused"
    assert refused.json["error"]["message_vi"].startswith("Quầy đang tạm dừng")
    assert api.desk(3, "resume").json["state"] == "open"
    assert api.desk(3, "call-next").status_code == 200


def test_finish_start_and_wrong_state_are_refused_clearly(api: Api) -> None:
    no_ticket = api.desk(3, "finish")
    assert no_ticket.status_code == 409 and no_ticket.json["error"]["code"] == "no_current_ticket"
    api.issue()
    api.desk(3, "call-next")
    assert api.desk(3, "start").json["state"] == "serving"
    assert api.desk(3, "start").json["error"]["code"] == "invalid_state"
    assert api.desk(3, "finish").json["state"] == "done"


def test_queue_snapshot_counts_waiting_and_current_tickets(api: Api) -> None:
    api.issue("ho-tich")
    api.issue("ho-tich", "elderly")
    api.issue("dat-dai")
    api.desk(3, "call-next")
    snap = api.call("GET", "/queue", "supervisor").json
    waiting = {s["code"]: (s["waiting"], s["waiting_priority"]) for s in snap["services"]}
    assert waiting["ho-tich"] == (1, 0) and waiting["dat-dai"] == (1, 0)
    counter3 = next(c for c in snap["counters"] if c["number"] == 3)
    assert counter3["current_ticket"]["priority"] == "elderly"
    assert snap["last_event_id"] > 0
    hall = api.call("GET", "/queue").json
    assert hall["services"] == snap["services"]
    assert "priority" not in next(c for c in hall["counters"] if c["number"] == 3)[
        "current_ticket"
    ]


def test_every_change_is_an_event_with_its_actor(api: Api) -> None:
    from sqlalchemy import select

    from queue_server.adapters.tables import events

    api.issue()
    api.desk(3, "call-next")
    api.desk(3, "finish")
    with api.runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(select(events.c.kind, events.c.actor).order_by(events.c.id))
        log = [(kind, actor) for kind, actor in rows if kind.startswith("ticket.")]
    assert log == [
        ("ticket.issued", "device:kiosk-1"),
        ("ticket.called", "user:admin"),
        ("ticket.finished", "user:admin"),
    ]


def test_estimated_wait_follows_recent_service_times(api: Api) -> None:
    for _ in range(3):
        api.issue()
    for _ in range(2):
        api.desk(3, "call-next")
        api.runtime.clock.advance(seconds=120)
        api.desk(3, "finish")
    waiting = api.issue()
    # Two tickets ahead (one left from before, and this one's predecessor: none called),
    # median service time 120 s, two open counters serve ho-tich.
    assert waiting["ahead"] == 1
    assert waiting["estimated_wait_s"] == 60
