"""The site's working calendar: the rules plus the admin's yearly override table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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


def site_calendar(uow: UnitOfWork, site_id: int, hours: SiteHours | None = None) -> WorkingCalendar:
    return WorkingCalendar(stored_overrides(uow, site_id), hours)
