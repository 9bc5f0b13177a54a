"""The queueing rules without a database: states, policy, hours, estimates."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from queue_server.queueing.errors import CounterPaused, InvalidConfiguration, InvalidTransition
from queue_server.queueing.estimate import estimate_wait_s
from queue_server.queueing.hours import OpeningHours
from queue_server.queueing.model import (
    PRIORITY_CHECKS,
    PRIORITY_LABELS,
    Counter,
    PriorityGroup,
    PriorityPolicy,
    Service,
    Ticket,
    TicketState,
    format_number,
)
from queue_server.queueing.policy import calling_order, take_priority_next

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def make_ticket(priority: str | None = None) -> Ticket:
    return Ticket(
        site_id=1,
        service_id=1,
        number="A001",
        seq=1,
        day="2026-11-25",
        track_token="t",
        issued_at=NOW,
        queued_at=NOW,
        priority=priority,
        id=1,
    )


def test_ticket_lifecycle_records_times_and_refuses_illegal_moves() -> None:
    counter = Counter(site_id=1, number=5, name="Quầy 5", id=5)
    ticket = make_ticket()
    with pytest.raises(InvalidTransition) as refused:
        ticket.finish(NOW)
    assert "đang chờ" in refused.value.message_vi
    ticket.call(counter, officer_id=9, now=NOW)
    assert (ticket.state, ticket.counter_id, ticket.officer_id) == (TicketState.CALLED, 5, 9)
    ticket.recall()
    ticket.start(NOW)
    ticket.finish(NOW.replace(minute=7))
    assert ticket.state == TicketState.DONE and ticket.service_time_s == 420
    with pytest.raises(InvalidTransition):
        ticket.recall()


def test_transfer_keeps_number_issue_time_and_tracking() -> None:
    ticket = make_ticket("elderly")
    ticket.call(Counter(site_id=1, number=1, name="1", id=1), None, NOW)
    target = Service(site_id=1, code="ho-tich", prefix="B", name_vi="Hộ tịch", id=2)
    moved = ticket.transfer_to(target, NOW.replace(minute=30))
    assert ticket.state == TicketState.TRANSFERRED
    assert (moved.number, moved.queued_at, moved.track_token) == ("A001", NOW, "t")
    assert (moved.service_id, moved.state, moved.priority) == (2, TicketState.WAITING, "elderly")
    assert moved.transferred_from_id == ticket.id


def test_no_show_can_be_called_back_but_not_finished_directly() -> None:
    ticket = make_ticket()
    counter = Counter(site_id=1, number=1, name="1", id=1)
    ticket.call(counter, None, NOW)
    ticket.no_show(NOW)
    with pytest.raises(InvalidTransition):
        ticket.finish(NOW)
    ticket.call(counter, None, NOW)
    assert ticket.state == TicketState.CALLED and ticket.recall_count == 0


def test_paused_counter_refuses_and_streak_counts_normal_calls() -> None:
    counter = Counter(site_id=1, number=1, name="1")
    counter.pause("Nghỉ trưa")
    with pytest.raises(CounterPaused):
        counter.ensure_open()
    counter.resume()
    counter.ensure_open()
    counter.note_called(make_ticket())
    counter.note_called(make_ticket())
    assert counter.normal_streak == 2
    counter.note_called(make_ticket("disability"))
    assert counter.normal_streak == 0


@pytest.mark.parametrize(
    ("has_priority", "has_normal", "policy", "streak", "expected"),
    [
        (False, False, PriorityPolicy.STRICT, 0, None),
        (True, True, PriorityPolicy.STRICT, 0, True),
        (False, True, PriorityPolicy.STRICT, 0, False),
        (True, False, PriorityPolicy.INTERLEAVED, 0, True),
        (True, True, PriorityPolicy.INTERLEAVED, 2, False),
        (True, True, PriorityPolicy.INTERLEAVED, 3, True),
    ],
)
def test_priority_policy(
    has_priority: bool, has_normal: bool, policy: PriorityPolicy, streak: int, expected: bool | None
) -> None:
    assert (
        take_priority_next(
            has_priority=has_priority,
            has_normal=has_normal,
            policy=policy,
            interleave_every=3,
            normal_streak=streak,
        )
        is expected
    )


@pytest.mark.parametrize(
    ("policy", "streak", "expected"),
    [
        (PriorityPolicy.STRICT, 0, ["p1", "p2", "n1", "n2", "n3", "n4"]),
        (PriorityPolicy.INTERLEAVED, 0, ["n1", "n2", "p1", "n3", "n4", "p2"]),
        (PriorityPolicy.INTERLEAVED, 1, ["n1", "p1", "n2", "n3", "p2", "n4"]),
    ],
)
def test_calling_order_repeats_the_call_next_rule_down_the_queue(
    policy: PriorityPolicy, streak: int, expected: list[str]
) -> None:
    """Each step is one call-next: the interleave counts the normal tickets called before,
    those of the counter's streak included, and a priority call starts it again."""
    order = calling_order(
        ["p1", "p2"], ["n1", "n2", "n3", "n4"], lambda _: (policy, 2), streak, limit=10
    )
    assert order == expected
    assert calling_order(["p1"], ["n1"], lambda _: (policy, 2), streak, limit=1) == expected[:1]
    assert calling_order([], [], lambda _: (policy, 2), streak, limit=5) == []


def test_every_priority_group_says_what_to_check_in_both_languages() -> None:
    assert PRIORITY_CHECKS.keys() == PRIORITY_LABELS.keys() == set(PriorityGroup)
    for vi, en in PRIORITY_CHECKS.values():
        assert vi.startswith("Kiểm tra") and en.startswith("Check")


def test_priority_groups_parse_and_refuse_unknown() -> None:
    assert PriorityGroup.parse("elderly") is PriorityGroup.ELDERLY
    assert PriorityGroup.parse(None) is None and PriorityGroup.parse("") is None
    with pytest.raises(Exception) as refused:
        PriorityGroup.parse("vip")
    assert "elderly" in str(refused.value)


def test_opening_hours_follow_the_posted_schedule() -> None:
    hours = OpeningHours.parse("mon-fri 07:00-11:30,13:30-17:00; sat 07:30-11:30")
    wednesday = datetime(2026, 11, 25)
    assert hours.is_open(wednesday.replace(hour=7))
    assert not hours.is_open(wednesday.replace(hour=11, minute=30))
    assert not hours.is_open(wednesday.replace(hour=12))
    assert hours.is_open(wednesday.replace(hour=16, minute=59))
    assert hours.is_open(datetime(2026, 11, 28, 8))  # Saturday morning
    assert not hours.is_open(datetime(2026, 11, 28, 14))
    assert not hours.is_open(datetime(2026, 11, 29, 9))  # Sunday
    assert hours.describe("vi").startswith("Thứ Hai: 07:00–11:30, 13:30–17:00")
    assert OpeningHours.parse("always").is_open(datetime(2026, 11, 29, 3))


def test_a_range_to_midnight_is_open_to_the_last_instant_of_the_day() -> None:
    """The demo centre is "open around the clock": it used to refuse tickets during
    the last second of every day (a range ended at 23:59:59, exclusive)."""
    last_instant = datetime(2026, 12, 31, 23, 59, 59, 999_999)
    assert OpeningHours.parse("always").is_open(last_instant)
    evening = OpeningHours.parse("mon-sun 18:00-24:00")
    assert evening.is_open(last_instant) and not evening.is_open(datetime(2026, 12, 31, 17, 59))
    assert evening.describe("en").startswith("Mon: 18:00–24:00")


def test_a_closed_service_says_when_it_opens_next() -> None:
    hours = OpeningHours.parse("mon-fri 07:00-11:30,13:30-17:00; sat 07:30-11:30")
    saturday_noon, friday_evening = datetime(2026, 11, 28, 12), datetime(2026, 11, 27, 18)
    assert hours.opens_at(saturday_noon) == "Mở cửa lúc 07:00 thứ Hai"
    assert hours.opens_at(saturday_noon, "en") == "Opens at 07:00 Mon"
    assert hours.next_opening(saturday_noon) == datetime(2026, 11, 30, 7)
    assert hours.opens_at(friday_evening) == "Mở cửa lúc 07:30 ngày mai"
    assert hours.opens_at(datetime(2026, 11, 25, 12)) == "Mở cửa lúc 13:30"
    assert OpeningHours.parse("sun 08:00-09:00").opens_at(friday_evening) == (
        "Mở cửa lúc 08:00 Chủ Nhật"
    )
    never = OpeningHours(tuple(() for _ in range(7)))
    assert never.next_opening(saturday_noon) is None
    assert never.opens_at(saturday_noon, "en") == "Not issuing tickets"


@pytest.mark.parametrize("spec", ["mon 17:00-07:00", "funday 07:00-08:00", "mon", "mon 7h-8h"])
def test_bad_opening_hours_are_refused(spec: str) -> None:
    with pytest.raises(InvalidConfiguration) as refused:
        OpeningHours.parse(spec)
    assert "Giờ làm việc" in refused.value.message_vi


def test_estimated_wait_uses_median_and_shares_across_counters() -> None:
    assert estimate_wait_s(4, [100, 120, 3600], 2, 300) == 240
    assert estimate_wait_s(3, [], 1, 300) == 900
    assert estimate_wait_s(0, [100], 0, 300) == 0


def test_numbers_have_three_digits_and_grow_past_999() -> None:
    assert [format_number("A", n) for n in (1, 23, 999, 1000)] == ["A001", "A023", "A999", "A1000"]


def test_domain_imports_no_framework() -> None:
    root = Path(__file__).resolve().parents[2] / "queue_server" / "queueing"
    forbidden = {"flask", "sqlalchemy", "kivy", "drivers"}
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & forbidden, path
