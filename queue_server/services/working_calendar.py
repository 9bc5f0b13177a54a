"""The site's working calendar: the rules plus the admin's yearly override table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TypedDict

from device_kit.contract.events import EventKind
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.calendar import DayOverride, SiteHours, WorkingCalendar, parse_overrides
from queue_server.dossiers.errors import InvalidCalendar


def stored_overrides(uow: UnitOfWork, site_id: int, year: int | None = None) -> list[DayOverride]:
    return uow.calendar.overrides(site_id, year)


def replace_year(
    uow: UnitOfWork, site_id: int, year: int, rows: Iterable[Mapping[str, object]]
) -> list[DayOverride]:
    """Replace ``year``'s overrides with ``rows`` (the admin edits a year as a whole)."""
    overrides = parse_overrides(rows)
    if any(o.day.year != year for o in overrides):
        raise InvalidCalendar(
            f"Every override must fall in {year}.", f"Mọi ngày điều chỉnh phải thuộc năm {year}."
        )
    if len({o.day for o in overrides}) != len(overrides):
        raise InvalidCalendar("A date appears twice.", "Có ngày bị lặp lại.")
    uow.calendar.replace_year(site_id, year, overrides)
    return sorted(overrides, key=lambda o: o.day)


def set_year(
    uow: UnitOfWork,
    site_id: int,
    year: int,
    rows: Iterable[Mapping[str, object]],
    actor: str,
    now: datetime,
) -> list[DayOverride]:
    """The admin's edit of a year (API or page): replace its overrides and log it."""
    overrides = replace_year(uow, site_id, year, rows)
    uow.record(
        site_id=site_id, kind=EventKind.CALENDAR_CHANGED, actor=actor, at=now,
        payload={"year": year},
    )
    return overrides


def set_day(
    uow: UnitOfWork,
    site_id: int,
    day: date,
    working: bool | None,
    note: str,
    actor: str,
    now: datetime,
) -> list[DayOverride]:
    """One date of the yearly notice: a day off (``working`` False), a working day in
    exchange (True), or back to the rules (None); the rest of the year is kept."""
    kept = [
        {"date": o.day, "working": o.working, "note": o.note}
        for o in stored_overrides(uow, site_id, day.year)
        if o.day != day
    ]
    if working is not None:
        kept.append({"date": day, "working": working, "note": note})
    return set_year(uow, site_id, day.year, kept, actor, now)


class YearView(TypedDict):
    year: int
    #: ``{"date": "2026-09-02", "name": "Quốc khánh"}``
    holidays: list[dict[str, str]]
    #: ``{"date": "2026-01-10", "working": True, "note": "Làm bù"}``
    overrides: list[dict[str, str | bool]]


def year_view(uow: UnitOfWork, site_id: int, year: int) -> YearView:
    """A year's days off (the rules' holidays and the admin's) and the override table."""
    overrides = stored_overrides(uow, site_id, year)
    calendar = WorkingCalendar(overrides)
    return {
        "year": year,
        "holidays": [
            {"date": d.isoformat(), "name": n} for d, n in calendar.holidays(year).items()
        ],
        "overrides": [
            {"date": o.day.isoformat(), "working": o.working, "note": o.note} for o in overrides
        ],
    }


def site_calendar(uow: UnitOfWork, site_id: int, hours: SiteHours | None = None) -> WorkingCalendar:
    return WorkingCalendar(stored_overrides(uow, site_id), hours)
