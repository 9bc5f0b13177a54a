"""Reading a report's figures from the database: aggregated in SQL, streamed where not.

A yearly report over half a million tickets must not load them: counts come grouped
by (site, service, counter, officer), durations as per-group histograms of whole
seconds, the heatmap as counts per UTC hour. Only dossier timeliness is judged row by
row (the working calendar decides it), streamed in batches.
"""

from __future__ import annotations

from collections import Counter as Histogram
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.adapters.tables import (
    appointments,
    counters,
    dossier_ratings,
    dossiers,
    quick_ratings,
    services,
    sites,
    tickets,
    users,
)
from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.dossiers.status import DossierStatus
from queue_server.queueing.appointments import BookingState
from queue_server.queueing.model import TicketState
from queue_server.reports.figures import (
    AppointmentFigures,
    Counts,
    DayFigures,
    DetailedRatingFigures,
    DossierFigures,
    GroupRow,
    RatingFigures,
    Report,
    duration_stats,
    roll_up,
    weekday_hour_heatmap,
)
from queue_server.reports.periods import ReportPeriod

STREAM_BATCH = 10_000


class seconds_between(FunctionElement[int]):  # noqa: N801 - reads as SQL
    """Whole seconds from the first timestamp to the second, on SQLite and PostgreSQL."""

    type = Integer()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


@compiles(seconds_between, "postgresql")
def _seconds_postgres(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS INTEGER)"


class utc_hour(FunctionElement[str]):  # noqa: N801 - reads as SQL
    """``YYYY-MM-DD HH`` of a UTC timestamp."""

    type = String()
    inherit_cache = True
    name = "utc_hour"


@compiles(utc_hour, "sqlite")
def _hour_sqlite(element: utc_hour, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(utc_hour, "postgresql")
def _hour_postgres(element: utc_hour, compiler: Any, **kw: Any) -> str:
    return (
        f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
    )


@dataclass(frozen=True)
class ReportFilter:
    """What the report covers: one or more sites, optionally one service/counter/officer."""

    site_ids: tuple[int, ...]
    service_id: int | None = None
    counter_id: int | None = None
    officer_id: int | None = None

    def describe(self, labels: dict[str, dict[int, str]]) -> dict[str, str]:
        chosen = {
            "service": self.service_id,
            "counter": self.counter_id,
            "officer": self.officer_id,
        }
        return {
            name: labels[name].get(key, str(key)) for name, key in chosen.items() if key is not None
        }


entry = tickets.alias("t")
previous = tickets.alias("p")
_DIMENSION_COLUMNS = {
    "site": entry.c.site_id,
    "service": entry.c.service_id,
    "counter": entry.c.counter_id,
    "officer": entry.c.officer_id,
}


def _entry_filter(scope: ReportFilter, period: ReportPeriod) -> ColumnElement[bool]:
    conditions = [
        entry.c.site_id.in_(scope.site_ids),
        entry.c.day >= period.start.isoformat(),
        entry.c.day <= period.end.isoformat(),
    ]
    if scope.service_id is not None:
        conditions.append(entry.c.service_id == scope.service_id)
    if scope.counter_id is not None:
        conditions.append(entry.c.counter_id == scope.counter_id)
    if scope.officer_id is not None:
        conditions.append(entry.c.officer_id == scope.officer_id)
    return and_(*conditions)


def _flag(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _group_rows(session: Session, where: ColumnElement[bool]) -> list[GroupRow]:
    keys = [entry.c.site_id, entry.c.service_id, entry.c.counter_id, entry.c.officer_id]
    query = (
        select(
            *keys,
            func.count().label("entries"),
            _flag(entry.c.transferred_from_id.is_(None)).label("issued"),
            _flag(entry.c.called_at.is_not(None)).label("called"),
            _flag(entry.c.parked_at.is_not(None)).label("parked"),
            *(
                _flag(entry.c.state == state).label(state.value)
                for state in (
                    TicketState.DONE,
                    TicketState.NO_SHOW,
                    TicketState.TRANSFERRED,
                    TicketState.CANCELLED,
                )
            ),
        )
        .where(where)
        .group_by(*keys)
    )
    return [
        GroupRow(
            r.site_id,
            r.service_id,
            r.counter_id,
            r.officer_id,
            Counts(
                issued=r.issued,
                transferred_in=r.entries - r.issued,
                called=r.called,
                served=r.done,
                no_show=r.no_show,
                transferred=r.transferred,
                cancelled=r.cancelled,
                parked=r.parked,
            ),
        )
        for r in session.execute(query)
    ]


def _histograms(
    session: Session, where: ColumnElement[bool], seconds: Any, condition: ColumnElement[bool]
) -> dict[str, dict[int | None, Histogram[int]]]:
    """Per dimension and key, how many entries took each whole number of seconds.

    One scan grouped by all four keys and the seconds, folded onto each dimension here:
    on SQLite about half the time of one grouped scan per dimension (bench_report).
    """
    found: dict[str, dict[int | None, Histogram[int]]] = {d: {} for d in _DIMENSION_COLUMNS}
    keys = list(_DIMENSION_COLUMNS.values())
    bucket = seconds.label("s")
    query = (
        select(*keys, bucket, func.count().label("n"))
        .where(where, condition)
        .group_by(*keys, bucket)
    )
    dimensions = list(found.values())
    result = session.execute(query.execution_options(yield_per=STREAM_BATCH))
    for batch in result.partitions():
        for *group, value, count in batch:
            second = max(int(value), 0)
            for per_key, key in zip(dimensions, group, strict=True):
                histogram = per_key.get(key)
                if histogram is None:
                    histogram = per_key[key] = Histogram()
                histogram[second] += count
    return found


def _ratings(
    session: Session, scope: ReportFilter, start: datetime, end: datetime
) -> dict[str, dict[int | None, RatingFigures]]:
    q = quick_ratings
    conditions = [q.c.site_id.in_(scope.site_ids), q.c.at >= start, q.c.at < end]
    for column, value in (
        (q.c.service_id, scope.service_id),
        (q.c.counter_id, scope.counter_id),
        (q.c.officer_id, scope.officer_id),
    ):
        if value is not None:
            conditions.append(column == value)
    keys = [q.c.site_id, q.c.service_id, q.c.counter_id, q.c.officer_id, q.c.level]
    query = select(*keys, func.count()).where(*conditions).group_by(*keys)
    found: dict[str, dict[int | None, RatingFigures]] = {
        "site": {},
        "service": {},
        "counter": {},
        "officer": {},
    }
    for site_id, service_id, counter_id, officer_id, level, count in session.execute(query):  # type: ignore[misc]
        for dimension, key in (
            ("site", site_id),
            ("service", service_id),
            ("counter", counter_id),
            ("officer", officer_id),
        ):
            if key is not None:
                found[dimension].setdefault(key, RatingFigures()).add(level, count)
    return found


def _detailed_ratings(
    session: Session, scope: ReportFilter, start: datetime, end: datetime
) -> DetailedRatingFigures:
    d = dossier_ratings
    count, total, maximum = session.execute(
        select(func.count(), func.sum(d.c.total), func.sum(d.c.maximum)).where(
            d.c.site_id.in_(scope.site_ids), d.c.at >= start, d.c.at < end
        )
    ).one()
    return DetailedRatingFigures(count, int(total or 0), int(maximum or 0))


def _dossiers(
    session: Session,
    scope: ReportFilter,
    start: datetime,
    end: datetime,
    calendar: WorkingCalendar,
) -> DossierFigures:
    """Received in the period by status; finished in it by timeliness; open and overdue."""
    d = dossiers
    mine = d.c.site_id.in_(scope.site_ids)
    figures = DossierFigures()
    received = (
        select(d.c.status, func.count())
        .where(mine, d.c.received_at >= start, d.c.received_at < end)
        .group_by(d.c.status)
    )
    figures.by_status = {int(status): count for status, count in session.execute(received)}
    figures.received = sum(figures.by_status.values())
    finished = select(d.c.due_at, d.c.finished_at).where(
        mine, d.c.due_at.is_not(None), d.c.finished_at >= start, d.c.finished_at < end
    )
    tally: Histogram[str] = Histogram()
    for due, done in session.execute(finished.execution_options(yield_per=STREAM_BATCH)):
        tally[calendar.classify(due, done).name] += 1
    figures.timeliness = dict(tally)
    open_statuses = [s.value for s in DossierStatus if not (s.is_finished or s.is_closed)]
    figures.overdue_open = session.execute(
        select(func.count()).where(
            mine,
            d.c.finished_at.is_(None),
            d.c.status.in_(open_statuses),
            d.c.due_at < end,
            d.c.received_at < end,
        )
    ).scalar_one()
    return figures


def _labels(session: Session, site_ids: tuple[int, ...]) -> dict[str, dict[int, str]]:
    return {
        "site": {
            r.id: r.name_vi
            for r in session.execute(
                select(sites.c.id, sites.c.name_vi).where(sites.c.id.in_(site_ids))
            )
        },
        "service": {
            r.id: f"{r.prefix} · {r.name_vi}"
            for r in session.execute(
                select(services.c.id, services.c.prefix, services.c.name_vi).where(
                    services.c.site_id.in_(site_ids)
                )
            )
        },
        "counter": {
            r.id: f"Quầy {r.number}"
            for r in session.execute(
                select(counters.c.id, counters.c.number).where(counters.c.site_id.in_(site_ids))
            )
        },
        "officer": {
            r.id: r.full_name or r.username
            for r in session.execute(select(users.c.id, users.c.full_name, users.c.username))
        },
    }


def _daily(session: Session, where: ColumnElement[bool]) -> list[DayFigures]:
    query = (
        select(
            entry.c.day,
            _flag(entry.c.transferred_from_id.is_(None)).label("issued"),
            _flag(entry.c.state == TicketState.DONE).label("served"),
            _flag(entry.c.state == TicketState.NO_SHOW).label("no_show"),
        )
        .where(where)
        .group_by(entry.c.day)
        .order_by(entry.c.day)
    )
    return [DayFigures(r.day, r.issued, r.served, r.no_show) for r in session.execute(query)]


def _appointments(
    session: Session, scope: ReportFilter, period: ReportPeriod, now: datetime
) -> AppointmentFigures:
    """Bookings of the period's days (of the service, when the report has one); the
    counter and officer filters do not apply to a booking. A booking still waiting
    after its slot ended is a no-show even before a booking released it."""
    a = appointments.c
    where = and_(
        a.site_id.in_(scope.site_ids),
        a.day >= period.start.isoformat(),
        a.day <= period.end.isoformat(),
        *([a.service_id == scope.service_id] if scope.service_id is not None else []),
    )
    state = case(
        (and_(a.state == BookingState.BOOKED.value, a.slot_end <= now), BookingState.MISSED.value),
        else_=a.state,
    ).label("state")
    counted = select(state, func.count()).where(where).group_by(state)
    by_state: dict[str, int] = {name: int(n) for name, n in session.execute(counted)}
    waited = seconds_between(a.slot_start, entry.c.called_at).label("s")
    histogram: Histogram[int] = Histogram()
    rows = session.execute(
        select(waited, func.count())
        .select_from(appointments.join(entry, entry.c.id == a.ticket_id))
        .where(where, entry.c.called_at.is_not(None))
        .group_by(waited)
    )
    for seconds, count in rows:
        histogram[max(int(seconds), 0)] += count
    return AppointmentFigures(
        booked=sum(by_state.values()),
        checked_in=by_state.get(BookingState.CHECKED_IN.value, 0),
        cancelled=by_state.get(BookingState.CANCELLED.value, 0),
        no_show=by_state.get(BookingState.MISSED.value, 0),
        wait_from_slot=duration_stats(histogram),
    )


def collect_report(
    session: Session,
    scope: ReportFilter,
    period: ReportPeriod,
    calendar: WorkingCalendar,
    now: datetime,
    zone: str = DEFAULT_ZONE,
) -> Report:
    """Every figure of a report for ``scope`` over ``period``, as of ``now``."""
    where = _entry_filter(scope, period)
    start, end = period.utc_bounds(zone)
    labels = _labels(session, scope.site_ids)
    # Only a transferred-in entry looks up the entry it came from (a few per cent).
    wait_from = case(
        (entry.c.transferred_from_id.is_(None), entry.c.issued_at),
        else_=select(previous.c.finished_at)
        .where(previous.c.id == entry.c.transferred_from_id)
        .scalar_subquery(),
    )
    wait = _histograms(
        session,
        where,
        seconds_between(wait_from, entry.c.called_at),
        entry.c.called_at.is_not(None),
    )
    served_for = seconds_between(
        func.coalesce(entry.c.serving_at, entry.c.called_at), entry.c.finished_at
    )
    service = _histograms(
        session, where, served_for - entry.c.parked_s, entry.c.state == TicketState.DONE
    )
    parked = _histograms(
        session,
        where,
        entry.c.parked_s,
        and_(entry.c.parked_at.is_not(None), entry.c.state != TicketState.PARKED),
    )
    totals, groups = roll_up(
        _group_rows(session, where),
        labels,
        wait,
        service,
        _ratings(session, scope, start, end),
        parked,
    )
    hours = (
        select(utc_hour(entry.c.issued_at).label("h"), func.count())
        .where(where, entry.c.transferred_from_id.is_(None))
        .group_by("h")
    )
    site_names = list(labels["site"].values())
    return Report(
        site_name=", ".join(site_names),
        period=period,
        filters=scope.describe(labels),
        generated_at=now,
        totals=totals,
        groups=groups,
        daily=_daily(session, where),
        heatmap=weekday_hour_heatmap(((h, n) for h, n in session.execute(hours)), zone),
        detailed_ratings=_detailed_ratings(session, scope, start, end),
        dossiers=_dossiers(session, scope, start, min(end, now), calendar),
        timezone=zone,
        appointments=_appointments(session, scope, period, now),
        due=period.due(calendar),
    )
