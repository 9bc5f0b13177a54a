"""Ratings in the database: one quick rating per served ticket, one detailed
rating per dossier, and the rows the rating statistics count."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queue_server.adapters.tables import counters, dossier_ratings, quick_ratings, services, users


@dataclass(frozen=True)
class QuickRatingRecord:
    """A quick rating as stored: bound to the ticket's counter, officer and service."""

    site_id: int
    ticket_id: int
    counter_id: int
    officer_id: int | None
    service_id: int
    level: str
    reasons: list[str]
    comment: str
    device: str
    at: datetime


@dataclass(frozen=True)
class DossierRatingRecord:
    """A detailed rating as stored: the scores keyed by indicator number as text (JSON)."""

    site_id: int
    dossier_code: str
    scores: dict[str, int]
    total: int
    maximum: int
    comment: str
    device: str
    at: datetime


@dataclass(frozen=True)
class RatedVisit:
    """One quick rating with what the statistics group it by."""

    level: str
    reasons: list[str]
    counter: int
    officer: str | None
    service: str


class RatingStore(Protocol):
    """What the rating use cases ask of storage (``RatingRepository``, or a fake)."""

    def quick_rating_taken(self, ticket_id: int) -> bool: ...

    def add_quick_rating(self, rating: QuickRatingRecord) -> int | None: ...

    def dossier_rated_at(self, site_id: int, dossier_code: str) -> datetime | None: ...

    def add_dossier_rating(self, rating: DossierRatingRecord) -> int | None: ...

    def rated_visits(
        self, site_id: int, since: datetime | None, until: datetime | None
    ) -> list[RatedVisit]: ...

    def dossier_scores(
        self, site_id: int, since: datetime | None, until: datetime | None
    ) -> list[dict[str, int]]: ...


class RatingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def quick_rating_taken(self, ticket_id: int) -> bool:
        query = select(quick_ratings.c.id).where(quick_ratings.c.ticket_id == ticket_id)
        return self.session.execute(query).first() is not None

    def add_quick_rating(self, rating: QuickRatingRecord) -> int | None:
        """The new rating's id, or None when the ticket already has one."""
        return self._insert_once(quick_ratings, rating)

    def dossier_rated_at(self, site_id: int, dossier_code: str) -> datetime | None:
        d = dossier_ratings.c
        query = select(d.at).where(d.site_id == site_id, d.dossier_code == dossier_code)
        return self.session.execute(query).scalar_one_or_none()

    def add_dossier_rating(self, rating: DossierRatingRecord) -> int | None:
        """The new rating's id, or None when the dossier already has one."""
        return self._insert_once(dossier_ratings, rating)

    def _insert_once(
        self, table: Table, rating: QuickRatingRecord | DossierRatingRecord
    ) -> int | None:
        """Insert in a savepoint: a terminal racing another one meets the unique constraint,
        and only the insert rolls back, not the caller's transaction."""
        statement = insert(table).values(asdict(rating)).returning(table.c.id)
        try:
            with self.session.begin_nested():
                return int(self.session.execute(statement).scalar_one())
        except IntegrityError:
            return None

    def rated_visits(
        self, site_id: int, since: datetime | None, until: datetime | None
    ) -> list[RatedVisit]:
        q = quick_ratings.c
        query = (
            select(
                q.level,
                q.reasons,
                counters.c.number.label("counter"),
                users.c.username.label("officer"),
                services.c.code.label("service"),
            )
            .join(counters, counters.c.id == q.counter_id)
            .join(services, services.c.id == q.service_id)
            .outerjoin(users, users.c.id == q.officer_id)
            .where(*_within(quick_ratings, site_id, since, until))
        )
        return [RatedVisit(*row) for row in self.session.execute(query)]

    def dossier_scores(
        self, site_id: int, since: datetime | None, until: datetime | None
    ) -> list[dict[str, int]]:
        query = select(dossier_ratings.c.scores).where(
            *_within(dossier_ratings, site_id, since, until)
        )
        return list(self.session.scalars(query))


def _within(
    table: Table, site_id: int, since: datetime | None, until: datetime | None
) -> list[ColumnElement[bool]]:
    """A site's ratings given in ``[since, until)``; an open end is unbounded."""
    conditions = [table.c.site_id == site_id]
    if since is not None:
        conditions.append(table.c.at >= since)
    if until is not None:
        conditions.append(table.c.at < until)
    return conditions
