"""Regulation report periods and when each falls due, on the Vietnamese working calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from queue_server.dossiers.calendar import DayOverride, WorkingCalendar
from queue_server.reports.periods import (
    PeriodKind,
    PeriodRefused,
    ReportPeriod,
    due_reports,
    half_period,
    month_period,
    parse_day,
    period_for,
    quarter_period,
    requested_period,
    year_period,
)

CALENDAR = WorkingCalendar()


def _due_in(year: int) -> dict[date, list[str]]:
    found: dict[date, list[str]] = {}
    for due in due_reports(date(year, 12, 31), CALENDAR, since=date(year - 1, 12, 31)):
        found.setdefault(due.due, []).append(due.period.slug)
    return found


def test_monthly_report_falls_on_the_last_working_day_of_each_month() -> None:
    """GIVEN 2026 WHEN asking day by day THEN each month's report is due once, on its last
    working day: 30 May 2026 is a Saturday, so Friday 29 May; 31 Jan is a Saturday."""
    due = _due_in(2026)
    monthly = {d: s for d, slugs in due.items() for s in slugs if s.startswith("month")}
    assert len(monthly) == 12
    assert monthly[date(2026, 5, 29)] == "month-2026-05-01-2026-05-31"
    assert monthly[date(2026, 1, 30)] == "month-2026-01-01-2026-01-31"
    assert monthly[date(2026, 11, 30)] == "month-2026-11-01-2026-11-30"  # a Monday
    assert all(CALENDAR.is_working_day(d) for d in monthly)


def test_half_year_and_year_reports_fall_before_15_june_and_15_december() -> None:
    """14 June 2026 is a Sunday: the six-monthly report is due Friday 12 June; 14 Dec 2026
    is a Monday, so the yearly one is due that day."""
    due = _due_in(2026)
    assert "half-2025-12-15-2026-06-14" in due[date(2026, 6, 12)]
    assert "year-2025-12-15-2026-12-14" in due[date(2026, 12, 14)]
    assert sum(len(v) for v in due.values()) == 12 + 4 + 1 + 1


def test_quarterly_reports_fall_on_the_last_working_day_up_to_the_14th() -> None:
    """14 March 2026 is a Saturday: Q1 is due Friday 13 March; 14 September is a Monday."""
    due = _due_in(2026)
    quarterly = {d: s for d, slugs in due.items() for s in slugs if s.startswith("quarter")}
    assert quarterly == {
        date(2026, 3, 13): "quarter-2025-12-15-2026-03-14",
        date(2026, 6, 12): "quarter-2026-03-15-2026-06-14",
        date(2026, 9, 14): "quarter-2026-06-15-2026-09-14",
        date(2026, 12, 14): "quarter-2026-09-15-2026-12-14",
    }


def test_a_day_off_announced_by_the_government_moves_the_monthly_report() -> None:
    calendar = WorkingCalendar([DayOverride(date(2026, 11, 30), False, "Nghỉ bù")])
    assert [d.period.slug for d in due_reports(date(2026, 11, 27), calendar)] == [
        "month-2026-11-01-2026-11-30"
    ]
    assert due_reports(date(2026, 11, 30), calendar) == []


def test_a_runner_that_was_down_catches_up_from_the_day_it_last_ran() -> None:
    missed = due_reports(date(2026, 7, 3), CALENDAR, since=date(2026, 6, 1))
    assert [d.period.kind for d in missed] == [
        PeriodKind.QUARTER,
        PeriodKind.HALF,
        PeriodKind.MONTH,
    ]
    assert due_reports(date(2026, 7, 3), CALENDAR) == []


def test_periods_cover_whole_local_days_in_the_site_zone() -> None:
    february = month_period(date(2028, 2, 10))
    assert (february.start, february.end) == (date(2028, 2, 1), date(2028, 2, 29))
    start, end = february.utc_bounds("Asia/Ho_Chi_Minh")
    assert start == datetime(2028, 1, 31, 17, tzinfo=UTC)
    assert end - start == timedelta(days=29)
    assert half_period(2026).label_vi == "6 tháng đầu năm 2026"
    assert year_period(2026).label_vi == "Năm 2026"
    assert february.label_vi == "Tháng 02/2028"
    day = period_for(PeriodKind.DAY, date(2026, 11, 25))
    assert day.label_vi == "Ngày 25/11/2026"
    assert ReportPeriod(PeriodKind.RANGE, date(2026, 1, 5), date(2026, 2, 1)).label_vi == (
        "Từ 05/01/2026 đến 01/02/2026"
    )


@pytest.mark.parametrize(
    ("kind", "day", "first", "last"),
    [
        # 15 December opens the next reporting year, its first quarter and first half.
        (PeriodKind.QUARTER, date(2026, 12, 15), date(2026, 12, 15), date(2027, 3, 14)),
        (PeriodKind.QUARTER, date(2026, 12, 14), date(2026, 9, 15), date(2026, 12, 14)),
        (PeriodKind.QUARTER, date(2027, 1, 1), date(2026, 12, 15), date(2027, 3, 14)),
        (PeriodKind.QUARTER, date(2027, 3, 14), date(2026, 12, 15), date(2027, 3, 14)),
        (PeriodKind.QUARTER, date(2027, 3, 15), date(2027, 3, 15), date(2027, 6, 14)),
        (PeriodKind.QUARTER, date(2026, 9, 14), date(2026, 6, 15), date(2026, 9, 14)),
        (PeriodKind.QUARTER, date(2026, 9, 15), date(2026, 9, 15), date(2026, 12, 14)),
        (PeriodKind.HALF, date(2026, 12, 15), date(2026, 12, 15), date(2027, 6, 14)),
        (PeriodKind.HALF, date(2027, 6, 14), date(2026, 12, 15), date(2027, 6, 14)),
        (PeriodKind.HALF, date(2027, 6, 15), date(2027, 6, 15), date(2027, 12, 14)),
        (PeriodKind.YEAR, date(2026, 12, 14), date(2025, 12, 15), date(2026, 12, 14)),
        (PeriodKind.YEAR, date(2026, 12, 15), date(2026, 12, 15), date(2027, 12, 14)),
        (PeriodKind.YEAR, date(2026, 12, 31), date(2026, 12, 15), date(2027, 12, 14)),
        # Leap years: February has its 29th; a leap day falls in the first quarter.
        (PeriodKind.MONTH, date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),
        (PeriodKind.MONTH, date(2027, 2, 3), date(2027, 2, 1), date(2027, 2, 28)),
        (PeriodKind.QUARTER, date(2028, 2, 29), date(2027, 12, 15), date(2028, 3, 14)),
        (PeriodKind.DAY, date(2028, 2, 29), date(2028, 2, 29), date(2028, 2, 29)),
    ],
)
def test_the_period_holding_a_day_follows_the_national_cut_off(
    kind: PeriodKind, day: date, first: date, last: date
) -> None:
    period = period_for(kind, day)
    assert (period.start, period.end) == (first, last)
    assert period.start <= day <= period.end


def test_quarters_tile_the_reporting_year_without_gaps() -> None:
    """Four quarters, then two halves, cover the year day for day (a leap year too)."""
    for year in (2027, 2028):
        quarters = [quarter_period(year, q) for q in (1, 2, 3, 4)]
        assert quarters[0].start == year_period(year).start
        assert quarters[-1].end == year_period(year).end
        for before, after in zip(quarters, quarters[1:], strict=False):
            assert after.start - before.end == timedelta(days=1)
        assert half_period(year).end == quarters[1].end
        assert half_period(year, second=True).start == quarters[2].start
    assert (quarter_period(2028, 1).end - quarter_period(2028, 1).start).days == 90  # 29 Feb


def test_period_labels_name_quarters_and_halves_in_both_languages() -> None:
    assert quarter_period(2027, 1).label_vi == "Quý I năm 2027"
    assert quarter_period(2027, 4).label_vi == "Quý IV năm 2027"
    assert quarter_period(2027, 3).label_en == "Q3 2027"
    assert half_period(2027, second=True).label_vi == "6 tháng cuối năm 2027"
    assert half_period(2027, second=True).label_en == "Second half of 2027"


def test_the_due_day_of_a_period_is_a_working_day_by_its_end() -> None:
    assert month_period(date(2026, 5, 4)).due(CALENDAR) == date(2026, 5, 29)  # 30 May: Sat
    assert quarter_period(2026, 1).due(CALENDAR) == date(2026, 3, 13)
    assert year_period(2026).due(CALENDAR) == date(2026, 12, 14)
    assert period_for(PeriodKind.DAY, date(2026, 5, 4)).due(CALENDAR) is None


@pytest.mark.parametrize(
    ("kind", "start", "end", "words"),
    [
        (PeriodKind.RANGE, date(2026, 3, 1), date(2026, 2, 1), "trước ngày bắt đầu"),
        (PeriodKind.RANGE, date(2026, 3, 1), None, "cần có từ ngày và đến ngày"),
        (PeriodKind.RANGE, date(2020, 1, 1), date(2026, 1, 1), "tối đa 800 ngày"),
        (PeriodKind.QUARTER, date(1999, 12, 31), None, "nằm ngoài các năm"),
        (PeriodKind.RANGE, date(2026, 1, 1), date(2100, 1, 1), "nằm ngoài các năm"),
    ],
)
def test_an_impossible_period_is_refused_in_both_languages(
    kind: PeriodKind, start: date, end: date | None, words: str
) -> None:
    with pytest.raises(PeriodRefused) as refused:
        requested_period(kind, start, end, today=date(2026, 6, 1))
    assert words in refused.value.message_vi
    assert refused.value.message and refused.value.status == 400


def test_a_day_that_is_no_date_is_refused_in_words() -> None:
    with pytest.raises(PeriodRefused) as refused:
        parse_day("2026-02-30")
    assert "không phải là ngày" in refused.value.message_vi
    assert parse_day("2028-02-29") == date(2028, 2, 29)
    assert requested_period(PeriodKind.MONTH, None, None, date(2026, 6, 1)).slug == (
        "month-2026-06-01-2026-06-30"
    )
