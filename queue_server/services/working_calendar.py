"""The site's working calendar: the rules plus the admin's yearly override table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, insert, select

from queue_server.adapters.tables import calendar_overrides
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.calendar import DayOverride, SiteHours, WorkingCalendar, parse_overrides
from queue_server.dossiers.errors import InvalidCalendar

table = calendar_overrides


def stored_overrides(uow: UnitOfWork, site_id: int, year: int | None = None) -> list[DayOverride]:
    query = select(table).where(table.c.site_id == site_id).order_by(table.c.day)
    if year is not None:
        query = query.where(table.c.day.like(f"{year:04d}-%"))
    return [
        parse_overrides([{"date": r.day, "working": r.working, "note": r.note}])[0]
        for r in uow.session.execute(query)
    ]


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
    uow.session.execute(
        delete(table).where(table.c.site_id == site_id, table.c.day.like(f"{year:04d}-%"))
    )
    if overrides:
        uow.session.execute(
            insert(table),
            [
                {
                    "site_id": site_id,
                    "day": o.day.isoformat(),
                    "working": o.working,
                    "note": o.note[:200],
                }
                for o in overrides
            ],
        )
    return sorted(overrides, key=lambda o: o.day)


def site_calendar(uow: UnitOfWork, site_id: int, hours: SiteHours | None = None) -> WorkingCalendar:
    return WorkingCalendar(stored_overrides(uow, site_id), hours)
