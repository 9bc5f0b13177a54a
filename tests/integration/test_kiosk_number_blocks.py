"""Number blocks leased to kiosks: reserved numbers, offline hand-over by issue time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server_fixtures import Api

from queue_server.services.auth import issue_token


def lease(api: Api, service: str = "ho-tich", count: int = 3) -> dict[str, Any]:
    response = api.call(
        "POST", "/number-blocks", "kiosk", json={"service": service, "count": count}
    )
    assert response.status_code == 201, response.json
    return response.json


def hand_over(api: Api, block: dict[str, Any], seq: int, at: str, **extra: Any) -> Any:
    body = {"seq": seq, "issued_at": at, **extra}
    return api.call("POST", f"/number-blocks/{block['id']}/tickets", "kiosk", json=body)


def test_leased_numbers_are_never_issued_online(api: Api) -> None:
    first = api.issue("ho-tich")
    block = lease(api, count=3)
    after = api.issue("ho-tich")
    assert first["number"] == "B001"
    assert (block["first"], block["last"], block["first_number"]) == (2, 4, "B002")
    assert after["number"] == "B005"


def test_offline_tickets_join_the_queue_by_issue_time_once(api: Api, clock: Any) -> None:
    block = lease(api, count=3)
    issued = clock().isoformat()
    clock.advance(minutes=5)
    online = api.issue("ho-tich")  # B004, issued after the offline one
    created = hand_over(api, block, 1, issued, priority=None)
    again = hand_over(api, block, 1, issued)
    assert created.status_code == 201 and again.status_code == 200
    assert created.json["number"] == "B001" and again.json["id"] == created.json["id"]
    assert created.json["ahead"] == 0
    assert api.call("GET", f"/tickets/{online['id']}", "board").json["ahead"] == 1
    order = [api.desk(3, "call-next").json["number"] for _ in range(2)]
    assert order == ["B001", "B004"]


def test_hand_over_refuses_numbers_outside_the_block_and_other_devices(api: Api) -> None:
    block = lease(api, count=2)
    outside = hand_over(api, block, 3, "2026-11-25T02:00:00+00:00")
    assert outside.status_code == 400
    assert outside.json["error"]["code"] == "number_outside_block"
    body = {"seq": 1, "issued_at": "2026-11-25T02:00:00+00:00"}
    foreign = api.call("POST", f"/number-blocks/{block['id']}/tickets", "admin", json=body)
    assert foreign.status_code == 403
    naive = hand_over(api, block, 1, "2026-11-25T02:00:00")
    assert naive.status_code == 400


def test_a_block_of_yesterday_is_refused(api: Api, clock: Any) -> None:
    block = lease(api, count=2)
    issued = clock().isoformat()
    clock.advance(days=1)
    stale = hand_over(api, block, 1, issued)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_block"


def test_lease_needs_an_issuing_token(api: Api) -> None:
    body = {"service": "ho-tich", "count": 2}
    assert api.call("POST", "/number-blocks", None, json=body).status_code == 401
    assert api.call("POST", "/number-blocks", "board", json=body).status_code == 403
    too_many = api.call("POST", "/number-blocks", "kiosk", json={"service": "ho-tich", "count": 99})
    assert too_many.status_code == 400


def test_a_back_dated_hand_over_queues_no_earlier_than_the_lease(api: Api, clock: Any) -> None:
    waiting = api.issue("ho-tich")  # B001, waiting before the block existed
    clock.advance(minutes=1)
    leased_at = clock()
    block = lease(api, count=2)  # B002-B003
    clock.advance(minutes=1)

    jumped = hand_over(api, block, 2, "2000-01-01T00:00:00+07:00")

    assert jumped.status_code == 201
    assert jumped.json["ahead"] == 1
    assert datetime.fromisoformat(jumped.json["issued_at"]) == leased_at
    order = [api.desk(3, "call-next").json["number"] for _ in range(2)]
    assert order == [waiting["number"], "B002"]


def test_only_a_kiosk_leases_and_only_that_kiosk_hands_over(api: Api) -> None:
    body = {"service": "ho-tich", "count": 2}
    for who in ("officer", "technician", "admin"):
        refused = api.call("POST", "/number-blocks", who, json=body)
        assert refused.status_code == 403, who
        assert refused.json["error"]["message_vi"], who
    with api.runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        api.tokens["kiosk2"] = issue_token(
            uow, site_id=site.id, kind="kiosk", name="kiosk-2", now=api.runtime.clock()
        )
        uow.commit()
    block = lease(api, count=2)

    offline = {"seq": block["first"], "issued_at": api.runtime.clock().isoformat()}
    path = f"/number-blocks/{block['id']}/tickets"
    other_kiosk = api.call("POST", path, "kiosk2", json=offline)
    officer = api.call("POST", path, "officer", json=offline)

    assert (other_kiosk.status_code, other_kiosk.json["error"]["code"]) == (404, "unknown_block")
    assert officer.status_code == 403
    waiting = {s["code"]: s["waiting"] for s in api.call("GET", "/queue").json["services"]}
    assert waiting["ho-tich"] == 0
