"""Working calendar: Labour Code holidays incl. lunar ones, overrides, due dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.dossiers.calendar import (
    DayOverride,
    SiteHours,
    Timeliness,
    WorkingCalendar,
    parse_overrides,
)
from queue_server.dossiers.errors import InvalidCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(
    ("first_day", "eve"),
    [
        (date(2024, 2, 10), date(2024, 2, 9)),
        (date(2025, 1, 29), date(2025, 1, 28)),
        (date(2026, 2, 17), date(2026, 2, 16)),
    ],
)
def test_tet_is_lunar_new_years_eve_and_four_days(
    calendar: WorkingCalendar, first_day: date, eve: date
) -> None:
    holidays = calendar.holidays(first_day.year)
    tet = [d for d, name in holidays.items() if name == "Tết Nguyên đán"]
    assert tet == [eve + timedelta(days=i) for i in range(5)]
    assert first_day in tet


def test_vietnamese_lunar_calendar_not_the_chinese_one(calendar: WorkingCalendar) -> None:
    # Tết 2007 fell on 17 Feb in Viet Nam (UTC+7) but 18 Feb in China (UTC+8).
    assert calendar.holidays(2007)[date(2007, 2, 17)] == "Tết Nguyên đán"


@pytest.mark.parametrize("day", [date(2024, 4, 18), date(2025, 4, 7)])
def test_hung_kings_day_is_tenth_of_third_lunar_month(calendar: WorkingCalendar, day: date) -> None:
    assert calendar.holidays(day.year)[day] == "Giỗ Tổ Hùng Vương"
    assert not calendar.is_working_day(day)


@pytest.mark.parametrize(
    ("year", "days_off"),
    [
        (2021, [date(2021, 9, 2), date(2021, 9, 3)]),  # Thu: Friday bridges the weekend
        (2022, [date(2022, 9, 1), date(2022, 9, 2)]),  # Fri: 3 Sep is a Saturday
        (2024, [date(2024, 9, 2), date(2024, 9, 3)]),  # Mon: 1 Sep is a Sunday
        (2025, [date(2025, 9, 1), date(2025, 9, 2)]),  # Tue: Monday bridges the weekend
        (2023, [date(2023, 9, 1), date(2023, 9, 2), date(2023, 9, 4)]),  # Sat: + Monday off
    ],
)
def test_national_day_and_its_neighbour_as_announced(
    calendar: WorkingCalendar, year: int, days_off: list[date]
) -> None:
    september = [d for d in calendar.holidays(year) if d.month == 9]
    assert september == days_off


def test_national_day_neighbour_can_be_set(calendar: WorkingCalendar) -> None:
    after = WorkingCalendar(national_day_extra="after")
    assert date(2025, 9, 3) in after.holidays(2025)
    assert date(2025, 9, 1) not in after.holidays(2025)
    assert calendar.is_working_day(date(2025, 9, 3))


def test_fixed_holidays_and_weekend_compensation(calendar: WorkingCalendar) -> None:
    holidays_2022 = calendar.holidays(2022)
    assert {date(2022, 1, 1), date(2022, 4, 30), date(2022, 5, 1)} <= holidays_2022.keys()
    # 30/4 and 1/5 fell on a weekend: Monday and Tuesday off instead.
    assert holidays_2022[date(2022, 5, 2)] == "Nghỉ bù Ngày Chiến thắng"
    assert holidays_2022[date(2022, 5, 3)] == "Nghỉ bù Ngày Quốc tế Lao động"
    assert not calendar.is_working_day(date(2022, 5, 3))
    assert calendar.is_working_day(date(2022, 5, 4))
    assert not calendar.is_working_day(date(2022, 5, 7))


def test_yearly_overrides_bridge_days_and_swapped_saturdays() -> None:
    # 2025 as announced: 2 May off, worked back on Saturday 26 April.
    rows = [
        {"date": "2025-05-02", "working": False, "note": "Nghỉ hoán đổi"},
        {"date": "2025-04-26", "working": True, "note": "Làm bù cho 02/5"},
    ]
    calendar = WorkingCalendar(parse_overrides(rows))
    assert not calendar.is_working_day(date(2025, 5, 2))
    assert calendar.is_working_day(date(2025, 4, 26))
    assert calendar.holidays(2025)[date(2025, 5, 2)] == "Nghỉ hoán đổi"
    assert WorkingCalendar().is_working_day(date(2025, 5, 2))


def test_override_rows_are_checked() -> None:
    with pytest.raises(InvalidCalendar) as refusal:
        parse_overrides([{"date": "2025-05-02"}, {"date": "02/05/2025", "working": False}])
    assert "Dòng 2" in refusal.value.message_vi


def test_due_date_crosses_lunch_and_weekend(calendar: WorkingCalendar) -> None:
    received = at(2023, 10, 27, 10, 30)  # a Friday
    due = calendar.due_date(received, 1)
    assert due == at(2023, 10, 30, 10, 30)  # Monday: 1 h + 3.5 h on Friday, 3.5 h on Monday
    assert calendar.working_time_between(received, due) == timedelta(hours=8)


def test_due_date_spans_tet(calendar: WorkingCalendar) -> None:
    # By the rules Tết 2024 is Fri 9 Feb - Tue 13 Feb plus two days for the weekend.
    received = at(2024, 2, 8, 9, 0)
    assert calendar.due_date(received, 3) == at(2024, 2, 20, 9, 0)


def test_due_date_spans_tet_as_announced() -> None:
    # Announced for 2024: off Thu 8 Feb - Wed 14 Feb; Thursday 15 Feb is worked.
    overrides = [
        DayOverride(date(2024, 2, 8), False, "Nghỉ Tết"),
        DayOverride(date(2024, 2, 15), True),
    ]
    calendar = WorkingCalendar(overrides)
    received = at(2024, 2, 7, 15, 0)
    due = calendar.due_date(received, 2)
    assert due == at(2024, 2, 16, 15, 0)
    assert calendar.working_time_between(received, due) == timedelta(hours=16)


def test_working_time_rules(calendar: WorkingCalendar) -> None:
    friday_evening = at(2023, 10, 27, 18, 0)
    assert calendar.add_working_time(friday_evening, 0) == at(2023, 10, 30, 7, 0)
    assert calendar.add_working_time(friday_evening, 0.5) == at(2023, 10, 30, 7, 30)
    assert calendar.add_working_time(at(2023, 10, 30, 7, 0), 8) == at(2023, 10, 30, 17, 0)
    assert calendar.add_working_time(at(2023, 10, 30, 11, 0), 0.5) == at(2023, 10, 30, 11, 30)
    assert calendar.add_working_time(at(2023, 10, 30, 12, 0), 1) == at(2023, 10, 30, 14, 30)
    lunch = (at(2023, 10, 30, 11, 30), at(2023, 10, 30, 13, 30))
    assert calendar.working_time_between(*lunch) == timedelta(0)
    assert calendar.working_time_between(lunch[1], lunch[0]) == timedelta(0)
    monday, tuesday = at(2023, 10, 30, 9, 0), at(2023, 10, 31, 9, 0)
    assert calendar.working_time_between(tuesday, monday) == -timedelta(hours=8)


def test_utc_times_are_read_in_site_time(calendar: WorkingCalendar) -> None:
    received_utc = datetime(2023, 10, 27, 3, 30, tzinfo=ZoneInfo("UTC"))  # 10:30 in Hà Nội
    assert calendar.due_date(received_utc, 1) == at(2023, 10, 30, 10, 30)
    with pytest.raises(ValueError):
        calendar.due_date(datetime(2023, 10, 27, 10, 30), 1)


def test_site_hours_are_configurable() -> None:
    calendar = WorkingCalendar(hours=SiteHours.parse("07:30-11:30, 13:00-17:00"))
    assert calendar.due_date(at(2023, 10, 30, 7, 30), 1) == at(2023, 10, 30, 17, 0)
    with pytest.raises(InvalidCalendar):
        SiteHours.parse("13:00-17:00,07:30-11:30")
    with pytest.raises(InvalidCalendar):
        SiteHours.parse("7h-11h")


def test_a_calendar_without_working_days_is_refused() -> None:
    with pytest.raises(InvalidCalendar):
        WorkingCalendar(weekend=frozenset(range(7)))
    start = date(2024, 1, 1)
    year_off = [DayOverride(start + timedelta(days=i), False) for i in range(400)]
    with pytest.raises(InvalidCalendar):
        WorkingCalendar(year_off).add_working_time(at(2024, 1, 2, 8), 1)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (at(2024, 3, 11, 16, 0), Timeliness.EARLY),  # the working day before
        (at(2024, 3, 12, 9, 0), Timeliness.ON_TIME),  # on the due day, before the hour
        (at(2024, 3, 12, 14, 0), Timeliness.ON_TIME),  # at the due time exactly
        (at(2024, 3, 12, 14, 1), Timeliness.LATE),
        (at(2024, 3, 13, 8, 0), Timeliness.LATE),
    ],
)
def test_finished_dossier_timeliness(
    calendar: WorkingCalendar, finished: datetime, expected: Timeliness
) -> None:
    assert calendar.classify(at(2024, 3, 12, 14, 0), finished) is expected


def test_unfinished_dossier_is_judged_against_now(calendar: WorkingCalendar) -> None:
    due = at(2024, 3, 12, 14, 0)
    assert calendar.classify(due, now=at(2024, 3, 12, 13, 0)) is Timeliness.ON_TIME
    assert calendar.classify(due, now=at(2024, 3, 12, 15, 0)) is Timeliness.LATE
    assert (Timeliness.EARLY.label_vi, Timeliness.LATE.label_en) == ("Trước hạn", "Late")
