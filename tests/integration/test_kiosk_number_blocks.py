"""Number blocks leased to kiosks: reserved numbers, offline hand-over by issue time."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from server_fixtures import Api
from sqlalchemy import func, select

from queue_server.adapters.tables import events, number_blocks, tickets
from queue_server.queueing.model import RESERVED_FIRST, RESERVED_LAST
from queue_server.services.clock import local_day
from queue_server.services.leases import MAX_BLOCK, lease_block, sync_offline_ticket
from queue_server.services.site_ref import SiteRef, run_with_site
from queue_server.services.tickets import IssueRequest, issue_ticket

RESERVED_SPAN = RESERVED_LAST - RESERVED_FIRST + 1


def lease(api: Api, service: str = "ho-tich", count: int = 3) -> dict[str, Any]:
    response = api.call(
        "POST", "/number-blocks", "kiosk", json={"service": service, "count": count}
    )
    assert response.status_code == 201, response.json
    return response.json


def hand_over(api: Api, block: dict[str, Any], seq: int, at: str, **extra: Any) -> Any:
    body = {"seq": seq, "issued_at": at, **extra}
    return api.call("POST", f"/number-blocks/{block['id']}/tickets", "kiosk", json=body)


def test_leasing_blocks_leaves_the_online_sequence_continuous(api: Api) -> None:
    """Blocks come from the reserved band (B900 up), each kiosk's slice after the last:
    visitors see B001, B002, B003 whatever the kiosks lease in between."""
    first = api.issue("ho-tich")
    block = lease(api, count=3)
    second = api.issue("ho-tich")
    other = lease(api, count=2)
    third = api.issue("ho-tich")
    assert [t["number"] for t in (first, second, third)] == ["B001", "B002", "B003"]
    assert (block["first"], block["last"], block["first_number"]) == (900, 902, "B900")
    assert (other["first"], other["last"], other["last_number"]) == (903, 904, "B904")


def test_the_reserved_band_runs_out_without_touching_online_numbers(api: Api) -> None:
    """The band holds A900-A999: the last block is cut short, then leases are refused."""
    for _ in range(RESERVED_SPAN // MAX_BLOCK - 1):
        lease(api, count=MAX_BLOCK)
    lease(api, count=MAX_BLOCK - 2)
    short = lease(api, count=MAX_BLOCK)
    refused = api.call("POST", "/number-blocks", "kiosk", json={"service": "ho-tich", "count": 1})
    assert (short["first_number"], short["last_number"]) == ("B998", "B999")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "reserved_numbers_used_up"
    assert refused.json["error"]["message_vi"]
    assert api.issue("ho-tich")["number"] == "B001"


def test_the_online_sequence_steps_over_the_band(api: Api) -> None:
    """Past B899 the next online number is B1000: B900-B999 stay the kiosks' own."""
    service = "dat-dai"
    with api.runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        found = uow.repo.service(site.id, service)
        found.daily_limit = 900  # counts online numbers: B1000 is the 900th
        uow.repo.next_seq(found.id or 0, local_day(api.runtime.clock(), site.timezone), 898)
        uow.commit()
    block = lease(api, service, count=2)
    numbers = [api.issue(service)["number"] for _ in range(2)]
    over = api.call("POST", "/tickets", "kiosk", json={"service": service})
    prefix = block["prefix"]
    assert numbers == [f"{prefix}899", f"{prefix}1000"]
    assert block["first_number"] == f"{prefix}900"
    assert over.status_code == 409 and over.json["error"]["code"] == "daily_limit_reached"


def test_kiosks_leasing_at_once_get_distinct_slices(api: Api) -> None:
    """Kiosks lease while visitors take numbers, all at once: no number is held twice,
    every block is in the band, the online numbers are 1..n without a gap."""
    kiosks, rounds, size, online = 6, 3, 4, 12
    start = threading.Barrier(kiosks + online)
    runtime, default = api.runtime, SiteRef(code="default")

    def kiosk(n: int) -> list[dict[str, Any]]:
        start.wait(timeout=10)
        return [
            run_with_site(
                runtime.uow,
                default,
                lambda uow, site: lease_block(uow, site, "ho-tich", size, f"kiosk-{n}", now),
            )
            for _ in range(rounds)
        ]

    def visitor(_: int) -> str:
        start.wait(timeout=10)
        request = IssueRequest("ho-tich")
        return str(issue_ticket(runtime.uow, default, request, "t", now, 20)["number"])

    now = runtime.clock()
    with ThreadPoolExecutor(kiosks + online) as pool:
        leased = [pool.submit(kiosk, n) for n in range(kiosks)]
        issued = [pool.submit(visitor, n) for n in range(online)]
        blocks = [block for future in leased for block in future.result()]
        numbers = sorted(future.result() for future in issued)
    held = [seq for b in blocks for seq in range(b["first"], b["last"] + 1)]
    assert len(held) == len(set(held)) == kiosks * rounds * size
    assert min(held) == RESERVED_FIRST and max(held) == RESERVED_FIRST + len(held) - 1
    assert numbers == [f"B{n:03d}" for n in range(1, online + 1)]


def test_offline_tickets_join_the_queue_by_issue_time_once(api: Api, clock: Any) -> None:
    block = lease(api, count=3)
    issued = clock().isoformat()
    clock.advance(minutes=5)
    online = api.issue("ho-tich")  # B001, issued after the offline one
    created = hand_over(api, block, block["first"], issued, priority=None)
    again = hand_over(api, block, block["first"], issued)
    assert created.status_code == 201 and again.status_code == 200
    assert created.json["number"] == "B900" and again.json["id"] == created.json["id"]
    assert created.json["ahead"] == 0
    assert api.call("GET", f"/tickets/{online['id']}", "board").json["ahead"] == 1
    order = [api.desk(3, "call-next").json["number"] for _ in range(2)]
    assert order == ["B900", "B001"]


def test_hand_over_refuses_numbers_outside_the_block_and_other_devices(api: Api) -> None:
    block = lease(api, count=2)
    outside = hand_over(api, block, block["last"] + 1, "2026-11-25T02:00:00+00:00")
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
    stale = hand_over(api, block, block["first"], issued)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_block"


def test_each_day_has_its_own_band(api: Api, clock: Any) -> None:
    """The band restarts with the day, like the online sequence: a week later (the same
    opening hours) the first block is B900 again and the online numbers B001."""
    assert lease(api, count=2)["first_number"] == "B900"
    clock.advance(days=7)
    assert lease(api, count=2)["first_number"] == "B900"
    assert api.issue("ho-tich")["number"] == "B001"


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
    block = lease(api, count=2)  # B900-B901
    clock.advance(minutes=1)

    jumped = hand_over(api, block, block["last"], "2000-01-01T00:00:00+07:00")

    assert jumped.status_code == 201
    assert jumped.json["ahead"] == 1
    assert datetime.fromisoformat(jumped.json["issued_at"]) == leased_at
    order = [api.desk(3, "call-next").json["number"] for _ in range(2)]
    assert order == [waiting["number"], "B901"]


def test_only_a_kiosk_leases_and_only_that_kiosk_hands_over(api: Api) -> None:
    body = {"service": "ho-tich", "count": 2}
    for who in ("officer", "technician", "admin"):
        refused = api.call("POST", "/number-blocks", who, json=body)
        assert refused.status_code == 403, who
        assert refused.json["error"]["message_vi"], who
    api.add_device("kiosk2", "kiosk")
    block = lease(api, count=2)

    offline = {"seq": block["first"], "issued_at": api.runtime.clock().isoformat()}
    path = f"/number-blocks/{block['id']}/tickets"
    other_kiosk = api.call("POST", path, "kiosk2", json=offline)
    officer = api.call("POST", path, "officer", json=offline)

    assert (other_kiosk.status_code, other_kiosk.json["error"]["code"]) == (404, "unknown_block")
    assert officer.status_code == 403
    waiting = {s["code"]: s["waiting"] for s in api.call("GET", "/queue").json["services"]}
    assert waiting["ho-tich"] == 0


def test_one_offline_ticket_handed_over_by_several_requests_at_once_is_queued_once(
    api: Api,
) -> None:
    """A kiosk that timed out and sent again, or restarted and resent, while the first
    hand-over still ran: the number joins the queue once whatever the interleaving."""
    block = lease(api, count=3)
    runtime, default = api.runtime, SiteRef(code="default")
    senders = 8
    start = threading.Barrier(senders)
    now = runtime.clock()
    with runtime.uow(readonly=True) as uow:  # the kiosk's label, as its token gives it
        device = uow.session.scalar(
            select(number_blocks.c.device).where(number_blocks.c.id == block["id"])
        )

    def send(_: int) -> bool:
        start.wait(timeout=10)
        _view, created = run_with_site(
            runtime.uow,
            default,
            lambda uow, site: sync_offline_ticket(
                uow, site, block["id"], block["first"], now, None, None, device, now, 20
            ),
        )
        return created

    with ThreadPoolExecutor(senders) as pool:
        created = list(pool.map(send, range(senders)))
    assert created.count(True) == 1
    with runtime.uow(readonly=True) as uow:
        queued = uow.session.scalar(
            select(func.count()).select_from(tickets).where(tickets.c.number == "B900")
        )
    assert queued == 1


def test_the_hand_over_cancels_the_ticket_of_the_request_given_up_for_it(
    api: Api, clock: Any
) -> None:
    """Two ticket requests whose answers were lost twice: the kiosk printed offline
    numbers instead. Each hand-over names its lost request's key. The ticket one of
    them issued, still waiting and held by nobody, leaves the queue and the boards
    hear of it; the other, already called, is left to its counter."""
    block = lease(api, count=3)
    keys = [secrets.token_urlsafe(16) for _ in range(2)]
    called_ghost, waiting_ghost = (
        api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich", "request_key": k}).json
        for k in keys
    )
    assert api.desk(3, "call-next").json["number"] == called_ghost["number"]
    first = hand_over(api, block, block["first"], clock().isoformat(), replaces=keys[0])
    second = hand_over(api, block, block["first"] + 1, clock().isoformat(), replaces=keys[1])
    assert first.status_code == second.status_code == 201

    def state(ticket: dict[str, Any]) -> str:
        return str(api.call("GET", f"/tickets/{ticket['id']}", "board").json["state"])

    assert (state(called_ghost), state(waiting_ghost)) == ("called", "cancelled")
    with api.runtime.uow(readonly=True) as uow:
        cancelled = uow.session.scalars(
            select(events.c.ticket_id).where(events.c.kind == "ticket.cancelled")
        ).all()
    assert cancelled == [waiting_ghost["id"]]
    called = [api.desk(3, "call-next").json["number"] for _ in range(2)]
    assert called == [first.json["number"], second.json["number"]]  # never the ghost
    assert api.desk(3, "call-next").status_code == 204


def test_a_hand_over_cannot_cancel_another_kiosks_ticket(api: Api) -> None:
    api.add_device("kiosk2", "kiosk")
    key = secrets.token_urlsafe(16)
    theirs = api.call(
        "POST", "/tickets", "kiosk2", json={"service": "ho-tich", "request_key": key}
    ).json
    block = lease(api, count=1)
    handed = hand_over(api, block, block["first"], api.runtime.clock().isoformat(), replaces=key)
    assert handed.status_code == 201
    assert api.call("GET", f"/tickets/{theirs['id']}", "board").json["state"] == "waiting"
