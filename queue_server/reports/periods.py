"""Report periods and the regulation schedule (pure).

Monthly: the calendar month, due on its last working day ("định kỳ vào ngày làm
việc cuối cùng của tháng", Gia Lai Decision 26/2020/QĐ-UBND, art. 11.1d).
Quarterly, six-monthly and yearly figures follow the national cut-off (Decree
09/2019/NĐ-CP art. 12): a quarter runs from the 15th of the last month of the
previous quarter to the 14th of its own last month (Q1: 15 December to 14 March);
the first half from 15 December of the previous year to 14 June, the second from
15 June to 14 December; the year from 15 December to 14 December. So 15 December
already belongs to the next year's reports. Six-monthly and yearly reports must
reach the province before 15 June and before 15 December (Sóc Trăng Decision
40/2016/QĐ-UBND); these reports are generated on the last working day up to their
last day, so days after that (usually a weekend) count only if the report is
generated again.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.queueing.errors import QueueError

#: Longest range a report may span: a year and its cut-off overlap, with room to spare.
MAX_RANGE_DAYS = 800
#: Report days lie in the years the working calendar knows (see ``/dossiers/calendar``);
#: far dates such as 0001-01-01 or 9999-12-31 overflowed in the period arithmetic.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
#: The day of the last month of a quarter (or half, or year) its figures stop at.
CUT_OFF_DAY = 14


class PeriodKind(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    RANGE = "range"


class PeriodRefused(QueueError):
    """A period nobody can report on: said in words to the API, the page and the CLI."""

    code = "invalid_period"
    status = 400


@dataclass(frozen=True)
class ReportPeriod:
    """Local dates ``start`` to ``end``, both included."""

    kind: PeriodKind
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodRefused(
                f"The period ends ({self.end:%d/%m/%Y}) before it starts "
                f"({self.start:%d/%m/%Y}).",
                f"Ngày kết thúc ({self.end:%d/%m/%Y}) trước ngày bắt đầu "
                f"({self.start:%d/%m/%Y}).",
            )

    @property
    def label_vi(self) -> str:
        year = self.end.year
        if self.kind is PeriodKind.MONTH:
            return f"Tháng {self.start.month:02d}/{self.start.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Quý {_ROMAN[self.end.month // 3]} năm {year}"
        if self.kind is PeriodKind.HALF:
            return f"6 tháng {'đầu' if self.end.month == 6 else 'cuối'} năm {year}"
        if self.kind is PeriodKind.YEAR:
            return f"Năm {year}"
        if self.start == self.end:
            return f"Ngày {self.start:%d/%m/%Y}"
        return f"Từ {self.start:%d/%m/%Y} đến {self.end:%d/%m/%Y}"

    @property
    def label_en(self) -> str:
        year = self.end.year
        if self.kind is PeriodKind.MONTH:
            return f"{self.start:%B %Y}"
        if self.kind is PeriodKind.QUARTER:
            return f"Q{self.end.month // 3} {year}"
        if self.kind is PeriodKind.HALF:
            return f"{'First' if self.end.month == 6 else 'Second'} half of {year}"
        if self.kind is PeriodKind.YEAR:
            return f"Year {year}"
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

    def due(self, calendar: WorkingCalendar) -> date | None:
        """The day the regulation wants this report: the last working day of a month, or
        the last working day up to a quarter's, half's or year's cut-off; None for a day
        or a range, which nobody asks for on schedule."""
        if self.kind in (PeriodKind.DAY, PeriodKind.RANGE):
            return None
        return last_working_day_until(self.end, calendar)


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def reporting_year(day: date) -> int:
    """The year whose reports count ``day``: from 15 December on, the next one."""
    return day.year + 1 if (day.month, day.day) > (12, CUT_OFF_DAY) else day.year


def month_period(anchor: date) -> ReportPeriod:
    last = month_calendar.monthrange(anchor.year, anchor.month)[1]
    return ReportPeriod(PeriodKind.MONTH, anchor.replace(day=1), anchor.replace(day=last))


def quarter_period(year: int, quarter: int) -> ReportPeriod:
    """Quarter 1..4 of ``year``: the 15th of the month before its first to the 14th of its last."""
    last_month = 3 * quarter
    start = (
        date(year - 1, 12, CUT_OFF_DAY + 1)
        if quarter == 1
        else date(year, last_month - 3, CUT_OFF_DAY + 1)
    )
    return ReportPeriod(PeriodKind.QUARTER, start, date(year, last_month, CUT_OFF_DAY))


def half_period(year: int, second: bool = False) -> ReportPeriod:
    """The first half (15 December to 14 June, the regulation's six-monthly report) or the
    second (15 June to 14 December)."""
    if second:
        return ReportPeriod(PeriodKind.HALF, date(year, 6, 15), date(year, 12, CUT_OFF_DAY))
    return ReportPeriod(PeriodKind.HALF, date(year - 1, 12, 15), date(year, 6, CUT_OFF_DAY))


def year_period(year: int) -> ReportPeriod:
    return ReportPeriod(PeriodKind.YEAR, date(year - 1, 12, 15), date(year, 12, CUT_OFF_DAY))


def period_for(kind: PeriodKind, start: date, end: date | None = None) -> ReportPeriod:
    """The period of ``kind`` that holds the day ``start`` (a range needs ``end`` as well)."""
    if kind is PeriodKind.DAY:
        return ReportPeriod(kind, start, start)
    if kind is PeriodKind.MONTH:
        return month_period(start)
    year = reporting_year(start)
    if kind is PeriodKind.QUARTER:
        return next(
            period
            for period in (quarter_period(year, q) for q in (1, 2, 3, 4))
            if start <= period.end
        )
    if kind is PeriodKind.HALF:
        return half_period(year, second=start > date(year, 6, CUT_OFF_DAY))
    if kind is PeriodKind.YEAR:
        return year_period(year)
    return ReportPeriod(kind, start, end or start)


def requested_period(
    kind: PeriodKind, start: date | None, end: date | None, today: date
) -> ReportPeriod:
    """The period a person asked for (API, reports page, CLI), or a refusal in words:
    a range without both ends, one that ends before it starts or is too long, or a day
    outside the years the calendar knows. ``start`` defaults to ``today``."""
    if kind is PeriodKind.RANGE and (start is None or end is None):
        raise PeriodRefused(
            "A range needs a first and a last day (from and to).",
            "Khoảng thời gian cần có từ ngày và đến ngày.",
        )
    for day in (start, end):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise PeriodRefused(
                f"{day.isoformat()} is outside the years reports cover "
                f"({FIRST_DAY.year}–{LAST_DAY.year}).",
                f"Ngày {day:%d/%m/%Y} nằm ngoài các năm có báo cáo "
                f"({FIRST_DAY.year}–{LAST_DAY.year}).",
            )
    period = period_for(kind, start or today, end)
    if (period.end - period.start).days > MAX_RANGE_DAYS:
        raise PeriodRefused(
            f"A report spans at most {MAX_RANGE_DAYS} days.",
            f"Một báo cáo tối đa {MAX_RANGE_DAYS} ngày.",
        )
    return period


def parse_day(text: str) -> date:
    """A day typed as YYYY-MM-DD (the CLI), or a refusal naming what was typed."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodRefused(
            f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-14.",
            f"«{text}» không phải là ngày; hãy viết theo dạng NĂM-THÁNG-NGÀY, ví dụ 2026-03-14.",
        ) from None


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
        year = day.year
        for period in (
            month_period(day),
            *(quarter_period(year, q) for q in (1, 2, 3, 4)),
            half_period(year),
            year_period(year),
        ):
            if day == period.due(calendar):
                found.append(DueReport(period, day))
        day += timedelta(days=1)
    return found
