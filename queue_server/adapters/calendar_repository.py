"""The site's working-calendar overrides in the database: the days the admin
declared off or working, beyond the rules the calendar knows by itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from queue_server.adapters.tables import calendar_overrides
from queue_server.dossiers.calendar import DayOverride

NOTE_MAX = 200


class CalendarStore(Protocol):
    """What the calendar use cases ask of storage (``CalendarRepository``, or a fake)."""

    def overrides(self, site_id: int, year: int | None = None) -> list[DayOverride]: ...

    def replace_year(self, site_id: int, year: int, overrides: Sequence[DayOverride]) -> None: ...


def _in_year(year: int) -> str:
    return f"{year:04d}-%"


class CalendarRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def overrides(self, site_id: int, year: int | None = None) -> list[DayOverride]:
        """The site's overrides by day, of one year or all."""
        table = calendar_overrides
        query = select(table).where(table.c.site_id == site_id).order_by(table.c.day)
        if year is not None:
            query = query.where(table.c.day.like(_in_year(year)))
        return [
            DayOverride(date.fromisoformat(r.day), r.working, r.note)
            for r in self.session.execute(query)
        ]

    def replace_year(self, site_id: int, year: int, overrides: Sequence[DayOverride]) -> None:
        """Delete the year's rows and insert ``overrides`` (one statement for all of them)."""
        table = calendar_overrides
        self.session.execute(
            delete(table).where(table.c.site_id == site_id, table.c.day.like(_in_year(year)))
        )
        if overrides:
            self.session.execute(
                insert(table),
                [
                    {
                        "site_id": site_id,
                        "day": o.day.isoformat(),
                        "working": o.working,
                        "note": o.note[:NOTE_MAX],
                    }
                    for o in overrides
                ],
            )
