"""The queue use cases on a fake unit of work: what an officer and a kiosk rely on
(numbers, call order, states, the events the boards hear, the commit), with no
database. The same use cases run against SQLite and PostgreSQL in tests/integration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fake_unit_of_work import FakeUnitOfWork

from queue_server.queueing.errors import (
    CounterBusy,
    CounterPaused,
    TicketNotParked,
    UnknownTicket,
)
from queue_server.queueing.model import Counter
from queue_server.services.counter_actions import Actor, CounterDesk, act
from queue_server.services.site_ref import SiteRef
from queue_server.services.tickets import IssueRequest, issue_ticket

SITE = SiteRef(code="hcm")
OFFICER = Actor("user:lan", user_id=7)
START = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # a Monday, 9:00 in Hồ Chí Minh City


class Floor:
    """Issues and counter actions with a clock that moves a minute per step."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.now = START

    def _tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    def issue(self, service: str, priority: str | None = None) -> dict[str, Any]:
        request = IssueRequest(service, priority)
        return issue_ticket(self.uow, SITE, request, "device:kiosk-1", self._tick(), 20)

    def act(self, counter_id: int, action: Callable[[CounterDesk], Any]) -> Any:
        return act(self.uow, SITE, counter_id, OFFICER, self._tick(), action)

    def kinds(self) -> list[str]:
        return [event["kind"] for event in self.uow.events]


def test_issuing_numbers_the_ticket_queues_it_and_commits_the_event(uow: FakeUnitOfWork) -> None:
    floor = Floor(uow)
    first = floor.issue("ho-tich")
    second = floor.issue("ho-tich")

    assert (first["number"], second["number"]) == ("A001", "A002")
    assert (second["state"], second["ahead"]) == ("waiting", 1)
    assert floor.kinds() == ["ticket.issued", "ticket.issued"]
    assert uow.events[1]["payload"]["number"] == "A002"
    assert uow.committed and uow.commits == 2


def test_strict_call_next_serves_priority_first_then_by_issue_time(uow: FakeUnitOfWork) -> None:
    floor = Floor(uow)
    floor.issue("ho-tich")
    floor.issue("ho-tich")
    elderly = floor.issue("ho-tich", "elderly")

    called = [floor.act(4, CounterDesk.call_next)["number"] for _ in range(3)]

    assert called == [elderly["number"], "A001", "A002"]
    assert floor.act(4, CounterDesk.call_next) is None
    called_then_finished = ["ticket.called", "ticket.finished"]
    assert floor.kinds()[-4:] == called_then_finished * 2


def test_interleaved_call_next_takes_one_priority_after_every_two_normal(
    uow: FakeUnitOfWork,
) -> None:
    floor = Floor(uow)
    normal = [floor.issue("dat-dai")["number"] for _ in range(3)]
    priority = floor.issue("dat-dai", "disability")["number"]

    called = [floor.act(5, CounterDesk.call_next)["number"] for _ in range(4)]

    assert called == [normal[0], normal[1], priority, normal[2]]


def test_recall_counts_and_past_the_limit_becomes_a_no_show(uow: FakeUnitOfWork) -> None:
    floor = Floor(uow)
    floor.issue("ho-tich")
    floor.act(4, CounterDesk.call_next)

    recalled = [floor.act(4, CounterDesk.recall) for _ in range(3)]
    last = floor.act(4, CounterDesk.recall)

    assert [view["recall_count"] for view in recalled] == [1, 2, 3]
    assert last["state"] == "no_show"
    assert floor.kinds()[-1] == "ticket.no_show"
    assert uow.events[-1]["payload"]["reason"] == "recall_limit"
    assert uow.repo.counter(1, 4).current_ticket_id is None


def test_no_show_by_the_officer_frees_the_counter(uow: FakeUnitOfWork) -> None:
    floor = Floor(uow)
    floor.issue("ho-tich")
    floor.act(4, CounterDesk.call_next)

    view = floor.act(4, CounterDesk.no_show)

    assert view["state"] == "no_show"
    assert uow.events[-1]["kind"] == "ticket.no_show"
    assert uow.events[-1]["payload"]["reason"] == "officer"
    assert uow.repo.counter(1, 4).current_ticket_id is None


def test_transfer_keeps_the_number_and_the_place_in_the_target_service(
    uow: FakeUnitOfWork,
) -> None:
    floor = Floor(uow)
    moved = floor.issue("ho-tich")
    floor.act(4, CounterDesk.call_next)
    later = floor.issue("dat-dai")

    view = floor.act(4, lambda desk: desk.transfer("dat-dai"))

    assert (view["number"], view["service"], view["state"]) == ("A001", "dat-dai", "waiting")
    assert uow.events[-1]["kind"] == "ticket.transferred"
    assert uow.events[-1]["payload"]["to_service"] == "dat-dai"
    # issued before B001, so it is called before it at the target's counter
    assert floor.act(5, CounterDesk.call_next)["number"] == moved["number"]
    assert floor.act(5, CounterDesk.call_next)["number"] == later["number"]


def test_finish_marks_the_ticket_done(uow: FakeUnitOfWork) -> None:
    floor = Floor(uow)
    floor.issue("ho-tich")
    floor.act(4, CounterDesk.call_next)
    floor.act(4, CounterDesk.start)

    view = floor.act(4, CounterDesk.finish)

    assert view["state"] == "done"
    assert floor.kinds()[-2:] == ["ticket.serving", "ticket.finished"]
    assert uow.committed


def test_a_paused_counter_calls_nobody_and_commits_nothing(uow: FakeUnitOfWork) -> None:
    floor = Floor(uow)
    floor.issue("ho-tich")

    state = floor.act(4, lambda desk: desk.pause("họp giao ban"))
    assert (state["state"], state["pause_reason"]) == ("paused", "họp giao ban")
    assert uow.events[-1]["kind"] == "counter.paused"
    events_before = len(uow.events)

    with pytest.raises(CounterPaused):
        floor.act(4, CounterDesk.call_next)

    assert not uow.committed
    assert len(uow.events) == events_before
    resumed = floor.act(4, CounterDesk.resume)
    assert resumed["state"] == "open"
    assert floor.act(4, CounterDesk.call_next)["number"] == "A001"


def _third_counter_for_ho_tich(uow: FakeUnitOfWork) -> int:
    """Another counter serving ``ho-tich``: where a parked visitor may come back to."""
    counter = Counter(site_id=1, number=3, name="Quầy 3")
    uow.repo.add(counter)
    uow.repo.counter_services[counter.id or 0] = [2]
    return counter.id or 0


def test_parking_frees_the_counter_and_call_next_passes_the_parked_visitor(
    uow: FakeUnitOfWork,
) -> None:
    floor = Floor(uow)
    floor.issue("ho-tich")
    floor.issue("ho-tich")
    floor.act(4, CounterDesk.call_next)

    parked = floor.act(4, lambda desk: desk.park("photocopy"))

    assert (parked["number"], parked["state"], parked["counter"]) == ("A001", "parked", 1)
    assert uow.repo.counter(1, 4).current_ticket_id is None
    assert uow.events[-1]["kind"] == "ticket.parked"
    assert uow.events[-1]["payload"]["reason"] == "photocopy"
    assert floor.act(4, CounterDesk.call_next)["number"] == "A002"
    assert floor.act(4, CounterDesk.call_next) is None  # A001 is parked, not waiting


def test_a_parked_visitor_is_resumed_at_another_counter_of_the_service_with_their_number(
    uow: FakeUnitOfWork,
) -> None:
    floor = Floor(uow)
    third = _third_counter_for_ho_tich(uow)
    floor.issue("ho-tich")
    floor.act(4, CounterDesk.call_next)
    floor.act(4, CounterDesk.start)
    floor.act(4, lambda desk: desk.park("pay_fee"))
    listed = floor.act(third, CounterDesk.parked)
    floor.now += timedelta(minutes=10)  # the visitor pays the fee

    resumed = floor.act(third, lambda desk: desk.resume_parked("a001"))
    done = uow.repo.tickets[0]
    floor.act(third, CounterDesk.start)
    floor.act(third, CounterDesk.finish)

    assert [(t["number"], t["counter"], t["park_reason_vi"]) for t in listed] == [
        ("A001", 1, "Đi nộp phí, lệ phí")
    ]
    assert (resumed["number"], resumed["state"], resumed["counter"]) == ("A001", "called", 3)
    assert uow.events[-3]["kind"] == "ticket.resumed"
    assert [t.number for t in uow.repo.tickets] == ["A001"]  # no new number
    # served a minute before the park and two after: the twelve minutes away are parked time
    assert done.parked_s == 12 * 60
    assert done.service_time_s == 3 * 60
    assert floor.act(third, CounterDesk.parked) == []


def test_resuming_is_refused_when_taken_elsewhere_busy_or_out_of_the_counters_services(
    uow: FakeUnitOfWork,
) -> None:
    floor = Floor(uow)
    third = _third_counter_for_ho_tich(uow)
    floor.issue("ho-tich")
    floor.issue("ho-tich")
    floor.act(4, CounterDesk.call_next)
    floor.act(4, lambda desk: desk.park("Đi lấy bản gốc CCCD"))
    floor.act(4, CounterDesk.call_next)  # A002 now stands at counter 1

    with pytest.raises(CounterBusy):
        floor.act(4, lambda desk: desk.resume_parked("A001"))
    with pytest.raises(UnknownTicket):
        floor.act(5, lambda desk: desk.resume_parked("A001"))  # counter 2 serves dat-dai only
    floor.act(third, lambda desk: desk.resume_parked(ticket_id=uow.repo.tickets[0].id))
    floor.act(4, CounterDesk.finish)
    with pytest.raises(TicketNotParked):
        floor.act(4, lambda desk: desk.resume_parked("A001"))
    assert floor.kinds().count("ticket.resumed") == 1
