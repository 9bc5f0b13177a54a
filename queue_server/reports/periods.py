"""Report periods and the regulation schedule (pure).

Monthly: the calendar month, generated on its last working day ("định kỳ vào ngày
làm việc cuối cùng của tháng", Gia Lai Decision 26/2020/QĐ-UBND). Six-monthly and
yearly reports must reach the province before 15 June and before 15 December (Sóc
Trăng Decision 40/2016/QĐ-UBND); their figures follow the usual cut-off (Decree
09/2019/NĐ-CP art. 12): from 15 December of the previous year to 14 June, or to
14 December. They are generated on the last working day before the deadline, so
days after that (usually a weekend) count only if the report is generated again.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from queue_server.dossiers.calendar import WorkingCalendar


class PeriodKind(StrEnum):
    DAY = "day"
    MONTH = "month"
    HALF = "half"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True)
class ReportPeriod:
    """Local dates ``start`` to ``end``, both included."""

    kind: PeriodKind
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a report period must not end before it starts")

    @property
    def label_vi(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"Tháng {self.start.month:02d}/{self.start.year}"
        if self.kind is PeriodKind.HALF:
            return f"6 tháng đầu năm {self.end.year}"
        if self.kind is PeriodKind.YEAR:
            return f"Năm {self.end.year}"
        if self.start == self.end:
            return f"Ngày {self.start:%d/%m/%Y}"
        return f"Từ {self.start:%d/%m/%Y} đến {self.end:%d/%m/%Y}"

    @property
    def label_en(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.start:%B %Y}"
        if self.kind is PeriodKind.HALF:
            return f"First half of {self.end.year}"
        if self.kind is PeriodKind.YEAR:
            return f"Year {self.end.year}"
        if self.start == self.end:
            return f"{self.start:%d %b %Y}"
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"

    @property
    def slug(self) -> str:
        return f"{self.kind.value}-{self.start.isoformat()}-{self.end.isoformat()}"

    def utc_bounds(self, zone: str) -> tuple[datetime, datetime]:
        """The instants the period covers at the site: [local midnight, next local midnight)."""
        tz = ZoneInfo(zone)
        return (
            datetime.combine(self.start, time(0), tz),
            datetime.combine(self.end + timedelta(days=1), time(0), tz),
        )


def month_period(anchor: date) -> ReportPeriod:
    last = month_calendar.monthrange(anchor.year, anchor.month)[1]
    return ReportPeriod(PeriodKind.MONTH, anchor.replace(day=1), anchor.replace(day=last))


def half_period(year: int) -> ReportPeriod:
    return ReportPeriod(PeriodKind.HALF, date(year - 1, 12, 15), date(year, 6, 14))


def year_period(year: int) -> ReportPeriod:
    return ReportPeriod(PeriodKind.YEAR, date(year - 1, 12, 15), date(year, 12, 14))


def period_for(kind: PeriodKind, start: date, end: date | None = None) -> ReportPeriod:
    """The period of ``kind`` that ``start`` names (a range needs ``end`` as well)."""
    if kind is PeriodKind.DAY:
        return ReportPeriod(kind, start, start)
    if kind is PeriodKind.MONTH:
        return month_period(start)
    if kind is PeriodKind.HALF:
        return half_period(start.year)
    if kind is PeriodKind.YEAR:
        return year_period(start.year)
    return ReportPeriod(kind, start, end or start)


def last_working_day_until(day: date, calendar: WorkingCalendar) -> date:
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class DueReport:
    period: ReportPeriod
    due: date


def due_reports(
    today: date, calendar: WorkingCalendar, since: date | None = None
) -> list[DueReport]:
    """Regulation reports whose generation day falls after ``since`` and by ``today``.

    With ``since`` left out, only the reports due exactly today; a runner that was
    down passes the day it last ran to catch up.
    """
    since = since or today - timedelta(days=1)
    found = []
    day = since + timedelta(days=1)
    while day <= today:
        month = month_period(day)
        if day == last_working_day_until(month.end, calendar):
            found.append(DueReport(month, day))
        for period in (half_period(day.year), year_period(day.year)):
            if day == last_working_day_until(period.end, calendar):
                found.append(DueReport(period, day))
        day += timedelta(days=1)
    return found
