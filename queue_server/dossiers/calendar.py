"""Working calendar: which days count, due dates in working hours, timeliness.

Rules (Labour Code 2019, arts. 111-112): Saturdays and Sundays off; public
holidays 1 January, Tết (the last day of the lunar year and the first four of
the new one), Hùng Kings day (10th of the 3rd lunar month), 30 April, 1 May,
2 September plus one day next to it; a holiday that falls on a weekend gives a
day off on the next working day. The Government announces the exact days each
year (bridges, swapped working Saturdays), so an admin-edited override table of
:class:`DayOverride` rows wins over the rules.

Lunar dates come from ``lunar-vn`` (Hồ Ngọc Đức's algorithm at UTC+7, the
Vietnamese calendar, which can differ from the Chinese one: Tết 1985 and 2007).

Due dates count working hours: one working day is 8 hours inside the site's
hours (default 07:00-11:30 and 13:30-17:00). Times are aware datetimes; the
site's zone is Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from lunar_vn import LunarDate, lunar_to_solar

from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.dossiers.errors import InvalidCalendar

WORKING_DAY = timedelta(hours=8)
WEEKEND = frozenset({5, 6})
# Longest run of days off tolerated before the calendar is declared broken.
MAX_DAYS_OFF_IN_A_ROW = 366

NationalDayExtra = Literal["auto", "before", "after"]

NEW_YEAR = "Tết Dương lịch"
TET = "Tết Nguyên đán"
HUNG_KINGS = "Giỗ Tổ Hùng Vương"
REUNIFICATION = "Ngày Chiến thắng"
LABOUR_DAY = "Ngày Quốc tế Lao động"
NATIONAL_DAY = "Quốc khánh"
COMPENSATION = "Nghỉ bù"


class Timeliness(Enum):
    """How a dossier stands against its due date, as the reports count it."""

    EARLY = ("Trước hạn", "Early")
    ON_TIME = ("Đúng hạn", "On time")
    LATE = ("Trễ hạn", "Late")

    @property
    def label_vi(self) -> str:
        return self.value[0]

    @property
    def label_en(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class DayOverride:
    """One admin decision for one date: a day off the rules don't know, or a working day."""

    day: date
    working: bool
    note: str = ""


def parse_overrides(rows: Iterable[Mapping[str, object]]) -> tuple[DayOverride, ...]:
    """Override rows as stored or edited: ``{"date": "2025-04-26", "working": true, "note": …}``."""
    overrides = []
    for index, row in enumerate(rows, start=1):
        try:
            day = row["date"]
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            working = row.get("working", False)
            if not isinstance(working, bool):
                raise ValueError("working must be true or false")
            overrides.append(DayOverride(day, working, str(row.get("note", ""))))
        except (KeyError, ValueError, TypeError):
            raise InvalidCalendar(
                f"Calendar override row {index} needs a date (YYYY-MM-DD) and working true/false.",
                f"Dòng {index} của bảng ngày nghỉ/làm bù cần ngày (YYYY-MM-DD) và "
                "working true/false.",
            ) from None
    return tuple(overrides)


@dataclass(frozen=True)
class SiteHours:
    """The working periods of one working day, in site-local time."""

    periods: tuple[tuple[time, time], ...] = (
        (time(7, 0), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )

    def __post_init__(self) -> None:
        ends = [t for period in self.periods for t in period]
        if not self.periods or ends != sorted(ends) or any(a == b for a, b in self.periods):
            raise InvalidCalendar(
                "Site hours must be ordered, non-overlapping periods.",
                "Giờ làm việc phải là các khoảng thời gian theo thứ tự, không chồng nhau.",
            )

    @classmethod
    def parse(cls, spec: str) -> SiteHours:
        """``"07:00-11:30,13:30-17:00"`` as in the site file."""
        try:
            periods = tuple(
                (time.fromisoformat(a.strip()), time.fromisoformat(b.strip()))
                for a, b in (part.split("-") for part in spec.split(","))
            )
        except ValueError:
            raise InvalidCalendar(
                "Site hours look like 07:00-11:30,13:30-17:00.",
                "Giờ làm việc có dạng 07:00-11:30,13:30-17:00.",
            ) from None
        return cls(periods)


@lru_cache(maxsize=64)
def rule_holidays(
    year: int,
    national_day_extra: NationalDayExtra = "auto",
    weekend: frozenset[int] = WEEKEND,
) -> Mapping[date, str]:
    """Holidays of ``year`` by the Labour Code, with their compensation days (read-only)."""
    try:
        tet = lunar_to_solar(LunarDate(1, 1, year))
        hung_kings = lunar_to_solar(LunarDate(10, 3, year))
    except ValueError as exc:
        raise InvalidCalendar(
            f"No lunar calendar for {year}.", f"Không có âm lịch cho năm {year}."
        ) from exc
    days = {date(year, 1, 1): NEW_YEAR}
    days.update({tet + timedelta(days=offset): TET for offset in range(-1, 4)})
    days[hung_kings] = HUNG_KINGS
    days[date(year, 4, 30)] = REUNIFICATION
    days[date(year, 5, 1)] = LABOUR_DAY
    national_day = date(year, 9, 2)
    days[national_day] = NATIONAL_DAY
    days[_national_day_neighbour(national_day, national_day_extra, weekend)] = NATIONAL_DAY
    for day, name in sorted(days.items()):
        if day.weekday() in weekend:
            substitute = day + timedelta(days=1)
            while substitute.weekday() in weekend or substitute in days:
                substitute += timedelta(days=1)
            days[substitute] = f"{COMPENSATION} {name}"
    return MappingProxyType(dict(sorted(days.items())))


def _national_day_neighbour(
    national_day: date, choice: NationalDayExtra, weekend: frozenset[int]
) -> date:
    """The second National Day holiday (1 or 3 September).

    ``auto`` follows recent announcements: a weekday neighbour that bridges to a
    weekend (3 Sep after a Thursday 2 Sep, 1 Sep before a Tuesday), else the
    weekday neighbour, preferring 1 September.
    """
    before, after = national_day - timedelta(days=1), national_day + timedelta(days=1)
    if choice == "before":
        return before
    if choice == "after":
        return after
    weekdays = [d for d in (before, after) if d.weekday() not in weekend]
    bridging = [d for d in weekdays if (d + (d - national_day)).weekday() in weekend]
    return (bridging or weekdays or [before])[0]


class WorkingCalendar:
    """Rules plus overrides; answers working-day and working-time questions."""

    def __init__(
        self,
        overrides: Iterable[DayOverride] = (),
        hours: SiteHours | None = None,
        national_day_extra: NationalDayExtra = "auto",
        zone: str = DEFAULT_ZONE,
        weekend: frozenset[int] = WEEKEND,
    ) -> None:
        if set(range(7)) <= weekend:
            raise InvalidCalendar(
                "A week needs at least one working day.",
                "Một tuần phải có ít nhất một ngày làm việc.",
            )
        self.overrides = {o.day: o for o in overrides}
        self.hours = hours or SiteHours()
        self.national_day_extra: NationalDayExtra = national_day_extra
        self.zone = ZoneInfo(zone)
        self.weekend = weekend

    def holidays(self, year: int) -> dict[date, str]:
        """The year's days off other than ordinary weekends, with their names."""
        days = {
            day: name
            for day, name in rule_holidays(year, self.national_day_extra, self.weekend).items()
            if not (day in self.overrides and self.overrides[day].working)
        }
        for day, override in self.overrides.items():
            if day.year == year and not override.working:
                days[day] = override.note or "Nghỉ theo thông báo"
        return dict(sorted(days.items()))

    def is_working_day(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override.working
        holidays = rule_holidays(day.year, self.national_day_extra, self.weekend)
        return day.weekday() not in self.weekend and day not in holidays

    def add_working_time(self, start: datetime, amount: timedelta | float) -> datetime:
        """The moment ``amount`` of working time (hours if a number) after ``start``.

        Time outside the site hours does not count; a start outside them begins at
        the next period. Ending exactly at a period's end gives that end (17:00),
        not the next morning.
        """
        remaining = amount if isinstance(amount, timedelta) else timedelta(hours=amount)
        if remaining < timedelta(0):
            raise ValueError("working time to add must not be negative")
        cursor = self._local(start)
        day, days_off = cursor.date(), 0
        while True:
            periods = self._day_periods(day)
            days_off = 0 if periods else days_off + 1
            if days_off > MAX_DAYS_OFF_IN_A_ROW:
                raise InvalidCalendar(
                    "The calendar has no working day for a whole year.",
                    "Lịch làm việc không có ngày làm việc nào trong cả một năm.",
                )
            for period_start, period_end in periods:
                begin = max(cursor, period_start)
                if begin >= period_end:
                    continue
                if remaining <= period_end - begin:
                    return begin + remaining
                remaining -= period_end - begin
            day += timedelta(days=1)

    def due_date(self, received: datetime, working_days: float) -> datetime:
        """Due date of a dossier whose procedure takes ``working_days`` (8 h each)."""
        return self.add_working_time(received, WORKING_DAY * working_days)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (negative if ``end`` comes first)."""
        a, b = self._local(start), self._local(end)
        if b < a:
            return -self.working_time_between(end, start)
        total, day = timedelta(0), a.date()
        while day <= b.date():
            for period_start, period_end in self._day_periods(day):
                total += max(min(b, period_end) - max(a, period_start), timedelta(0))
            day += timedelta(days=1)
        return total

    def classify(
        self, due: datetime, finished: datetime | None = None, now: datetime | None = None
    ) -> Timeliness:
        """Trước hạn / Đúng hạn / Trễ hạn.

        A finished dossier is early when finished on a day before its due day, on
        time when finished on the due day by the due time, late after it. An
        unfinished one is judged against ``now``: late once past due, else on time.
        """
        if finished is None:
            if now is None:
                raise ValueError("an unfinished dossier is judged against now")
            return Timeliness.LATE if now > due else Timeliness.ON_TIME
        if finished > due:
            return Timeliness.LATE
        if self._local(finished).date() < self._local(due).date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("working-time arithmetic needs timezone-aware datetimes")
        return moment.astimezone(self.zone)

    def _day_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working periods as aware datetimes; none on a day off."""
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, a, self.zone), datetime.combine(day, b, self.zone))
            for a, b in self.hours.periods
        ]
