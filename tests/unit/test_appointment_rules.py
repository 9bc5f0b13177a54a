"""Appointment slots against the working calendar, phone numbers, codes, the window."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.dossiers.calendar import DayOverride, WorkingCalendar
from queue_server.queueing.appointments import (
    InvalidPhone,
    OutsideCheckInWindow,
    check_in_window,
    day_slots,
    parse_phone,
    read_code,
)
from queue_server.queueing.hours import OpeningHours

HOURS = OpeningHours.parse("mon-fri 07:00-11:30,13:30-17:00; sat 07:30-11:30")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_working_day_has_slots_in_the_hours_and_none_over_lunch() -> None:
    slots = day_slots(HOURS, WorkingCalendar(), date(2026, 11, 25), 30)
    starts = [s.start.time() for s in slots]
    assert starts[0] == time(7, 0) and slots[-1].end.time() == time(17, 0)
    assert time(11, 0) in starts and time(13, 30) in starts
    assert not [t for t in starts if time(11, 30) <= t < time(13, 30)]
    assert len(slots) == 9 + 7
    assert slots[0].start.utcoffset() == timedelta(hours=7)


def test_an_always_open_service_still_breaks_for_lunch() -> None:
    slots = day_slots(OpeningHours.parse("always"), WorkingCalendar(), date(2026, 11, 25), 60)
    assert [s.start.time().hour for s in slots] == [7, 8, 9, 10, 13, 14, 15]


@pytest.mark.parametrize("day", [date(2027, 2, d) for d in range(5, 12)])
def test_tet_2027_has_no_slots_whatever_the_hours_say(day: date) -> None:
    """5–9 Feb Tết, 10–11 Feb compensatory days off; the 6th is a Saturday the hours open."""
    assert day_slots(HOURS, WorkingCalendar(), day, 30) == []
    assert day_slots(OpeningHours.parse("always"), WorkingCalendar(), day, 30) == []


def test_the_working_days_around_tet_2027_have_slots() -> None:
    assert day_slots(HOURS, WorkingCalendar(), date(2027, 2, 4), 30)
    assert day_slots(HOURS, WorkingCalendar(), date(2027, 2, 12), 30)


def test_a_make_up_saturday_opens_with_weekday_hours_and_a_day_off_closes() -> None:
    saturday, monday = date(2026, 11, 28), date(2026, 11, 30)
    calendar = WorkingCalendar(
        [DayOverride(saturday, True, "Làm bù"), DayOverride(monday, False, "Nghỉ bù")]
    )
    slots = day_slots(HOURS, calendar, saturday, 30)
    assert slots[0].start.time() == time(7, 0) and slots[-1].end.time() == time(17, 0)
    assert day_slots(HOURS, calendar, monday, 30) == []
    # Without the notice, the Saturday has the service's own Saturday morning.
    plain = day_slots(HOURS, WorkingCalendar(), saturday, 30)
    assert plain[0].start.time() == time(7, 30) and plain[-1].end.time() == time(11, 30)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84362345678", "0362345678"),
        ("086-234-5678", "0862345678"),
    ],
)
def test_vietnamese_mobile_numbers_are_read_and_normalised(typed: str, stored: str) -> None:
    assert parse_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "091234567", "09123456789", "0212345678", "0412345678", "02838123456", "abc"]
)
def test_other_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        parse_phone(typed)
    assert refused.value.status == 400


def test_a_code_is_read_typed_loosely_or_from_the_booking_qr() -> None:
    assert read_code(" k7p 3qa ") == "K7P3QA"
    assert read_code("https://motcua.example.vn/hen/K7P3QA") == "K7P3QA"
    assert read_code("https://motcua.example.vn/hen/K7P3QA?lang=en") == "K7P3QA"
    assert read_code("0912345678") is None
    assert read_code("K7P3Q0") is None  # 0 is not in the alphabet


def test_check_in_window_edges() -> None:
    slot = datetime(2026, 11, 26, 9, 0, tzinfo=ZONE)
    for moment in (slot - timedelta(minutes=15), slot, slot + timedelta(minutes=10)):
        check_in_window(slot, moment, 15, 10)
    with pytest.raises(OutsideCheckInWindow) as early:
        check_in_window(slot, slot - timedelta(minutes=15, seconds=1), 15, 10)
    assert early.value.details["reason"] == "early"
    assert "08:45" in early.value.message_vi
    with pytest.raises(OutsideCheckInWindow) as late:
        check_in_window(slot, slot + timedelta(minutes=10, seconds=1), 15, 10)
    assert late.value.details["reason"] == "late"
    assert "09:10" in late.value.message_vi
