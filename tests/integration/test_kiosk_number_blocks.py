"""Number blocks leased to kiosks: reserved numbers, offline hand-over by issue time."""

from __future__ import annotations

from typing import Any

from server_fixtures import Api


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
    assert foreign.status_code == 404
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
