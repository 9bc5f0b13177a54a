"""Number blocks on the fake unit of work: a kiosk leases numbers ahead and hands its
offline tickets over later, each once, never ahead of the lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fake_unit_of_work import FakeUnitOfWork

from queue_server.services.counter_actions import Actor, CounterDesk, act
from queue_server.services.leases import (
    NumberOutsideBlock,
    UnknownBlock,
    lease_block,
    sync_offline_ticket,
)
from queue_server.services.site_ref import SiteRef
from queue_server.services.tickets import IssueRequest, issue_ticket
from queue_server.services.unit_of_work import run

SITE = SiteRef(code="hcm")
LEASED_AT = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # a Monday, 9:00 in Hồ Chí Minh City
KIOSK = "kiosk-sanh-1"


def lease(uow: FakeUnitOfWork, count: int = 5) -> dict[str, Any]:
    site = uow.repo.site_by_id(1)
    return run(uow, lambda u: lease_block(u, site, "ho-tich", count, KIOSK, LEASED_AT))


def hand_over(
    uow: FakeUnitOfWork, block: int, seq: int, issued_at: datetime, device: str = KIOSK
) -> tuple[dict[str, Any], bool]:
    site = uow.repo.site_by_id(1)
    now = LEASED_AT + timedelta(minutes=30)
    return run(
        uow,
        lambda u: sync_offline_ticket(u, site, block, seq, issued_at, None, None, device, now, 20),
    )


def test_a_leased_block_reserves_numbers_nobody_else_issues(uow: FakeUnitOfWork) -> None:
    block = lease(uow)
    online = issue_ticket(uow, SITE, IssueRequest("ho-tich"), "device:kiosk-2", LEASED_AT, 20)
    second = lease(uow, count=2)

    assert (block["first_number"], block["last_number"]) == ("A900", "A904")
    assert (second["first_number"], second["last_number"]) == ("A905", "A906")
    assert online["number"] == "A001"
    assert uow.events[0]["kind"] == "block.leased"
    assert uow.events[0]["payload"]["first"] == 900


def test_an_offline_ticket_joins_the_queue_no_earlier_than_its_block_was_leased(
    uow: FakeUnitOfWork,
) -> None:
    block = lease(uow)
    online = issue_ticket(
        uow, SITE, IssueRequest("ho-tich"), "device:kiosk-2", LEASED_AT + timedelta(minutes=1), 20
    )

    # a kiosk clock an hour slow (or a forged time) claims a place before the lease
    view, new = hand_over(uow, block["id"], 901, LEASED_AT - timedelta(hours=1))

    assert new and view["number"] == "A901"
    (ticket,) = [t for t in uow.repo.tickets if t.number == "A901"]
    assert ticket.queued_at == LEASED_AT
    assert ticket.source == f"offline:{KIOSK}"
    officer = Actor("user:lan", user_id=7)
    called = [
        act(uow, SITE, 4, officer, LEASED_AT + timedelta(hours=1), CounterDesk.call_next)["number"]
        for _ in range(2)
    ]
    assert called == ["A901", online["number"]]


def test_handing_a_ticket_over_twice_returns_the_one_already_queued(uow: FakeUnitOfWork) -> None:
    block = lease(uow)
    issued = LEASED_AT + timedelta(minutes=3)

    first, first_new = hand_over(uow, block["id"], 902, issued)
    again, again_new = hand_over(uow, block["id"], 902, issued)

    assert (first_new, again_new) == (True, False)
    assert again["id"] == first["id"]
    assert [t.number for t in uow.repo.tickets] == ["A902"]
    assert [e["kind"] for e in uow.events] == ["block.leased", "ticket.issued"]


def test_only_the_leasing_device_hands_over_and_only_numbers_of_its_block(
    uow: FakeUnitOfWork,
) -> None:
    block = lease(uow, count=2)

    with pytest.raises(UnknownBlock):
        hand_over(uow, block["id"], 900, LEASED_AT, device="kiosk-khac")
    with pytest.raises(NumberOutsideBlock):
        hand_over(uow, block["id"], 902, LEASED_AT)
    assert uow.repo.tickets == []
