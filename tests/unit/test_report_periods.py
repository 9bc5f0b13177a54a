"""Regulation report periods and when each falls due, on the Vietnamese working calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from queue_server.dossiers.calendar import DayOverride, WorkingCalendar
from queue_server.reports.periods import (
    PeriodKind,
    ReportPeriod,
    due_reports,
    half_period,
    month_period,
    period_for,
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
    assert sum(len(v) for v in due.values()) == 14


def test_a_day_off_announced_by_the_government_moves_the_monthly_report() -> None:
    calendar = WorkingCalendar([DayOverride(date(2026, 11, 30), False, "Nghỉ bù")])
    assert [d.period.slug for d in due_reports(date(2026, 11, 27), calendar)] == [
        "month-2026-11-01-2026-11-30"
    ]
    assert due_reports(date(2026, 11, 30), calendar) == []


def test_a_runner_that_was_down_catches_up_from_the_day_it_last_ran() -> None:
    missed = due_reports(date(2026, 7, 3), CALENDAR, since=date(2026, 6, 1))
    assert [d.period.kind for d in missed] == [PeriodKind.HALF, PeriodKind.MONTH]
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
