"""Queries the use cases need, in one place, on a session the unit of work owns."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    Table,
    Update,
    and_,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import Tuple

from queue_server.adapters.database import Database
from queue_server.adapters.fresh_cache import FreshCache
from queue_server.adapters.prepared import Prepared
from queue_server.adapters.tables import (
    counter_services,
    counters,
    daily_sequences,
    events,
    number_blocks,
    services,
    sites,
    tickets,
    users,
    waiting_counts,
)
from queue_server.queueing.errors import UnknownCounter, UnknownService, UnknownTicket
from queue_server.queueing.model import (
    Counter,
    CounterState,
    NumberBlock,
    Service,
    Site,
    Ticket,
    TicketState,
    service_time_s,
)

_Entity = TypeVar("_Entity", Site, Service, Counter, Ticket)

# Hot statements ---------------------------------------------------------------
# Ticket issue and call-next run these on every request. Building a statement
# (coercing each clause) costs more than the compiled-cache look-up that follows
# it, so each is built once per process with bound parameters and then reused.
# Those selecting mapped domain classes are built on first use, after
# ``start_mappers``; the others are plain constants.

_COUNTER_SERVICE_IDS = (
    select(counter_services.c.service_id)
    .where(counter_services.c.counter_id == bindparam("counter_id"))
    .order_by(counter_services.c.position)
)
_OPEN_COUNTERS_FOR = (
    select(func.count())
    .select_from(counter_services)
    .join(counters, counters.c.id == counter_services.c.counter_id)
    .where(
        counter_services.c.service_id == bindparam("service_id"),
        counters.c.state == CounterState.OPEN,
    )
)
_SITE_ROW_LOCK = (
    select(sites.c.id).where(sites.c.id == bindparam("site_id")).with_for_update(key_share=True)
)
#: The channel every server process LISTENs on for events committed by another
#: (``events.TableRelay``). On PostgreSQL the events INSERT itself notifies it:
#: PostgreSQL delivers a notification when, and only if, its transaction commits,
#: and sends identical ones of a transaction once (the payload is the site id).
EVENTS_CHANNEL = "motcua_events"
#: A batch of events (one statement) is numbered in the order given, but may return
#: the ids in any order, so they are sorted.
_APPEND_EVENTS = insert(events).returning(events.c.id)
#: Returned by an events INSERT on PostgreSQL, it notifies ``EVENTS_CHANNEL``.
_NOTIFY = func.pg_notify(EVENTS_CHANNEL, cast(events.c.site_id, String))
_APPEND_EVENTS_NOTIFYING = insert(events).returning(events.c.id, _NOTIFY)
_APPEND_EVENT = Prepared(_APPEND_EVENTS)


@functools.cache
def _by_id(entity: type[_Entity], table: Table) -> Select[_Entity]:
    """Select by primary key, built once: ``session.get`` rebuilds it on every miss."""
    return select(entity).where(table.c.id == bindparam("id"))


@functools.cache
def _services_of_site() -> Select[Service]:
    return (
        select(Service)
        .where(services.c.site_id == bindparam("site_id"))
        .order_by(services.c.id)
    )


@functools.cache
def _service_by_code() -> Select[Service]:
    return select(Service).where(
        services.c.site_id == bindparam("site_id"), services.c.code == bindparam("code")
    )


@functools.cache
def _counter_query(lock: bool) -> Select[Counter, Ticket]:
    """The counter with its current ticket (to the session's identity map) in one read."""
    query = (
        select(Counter, Ticket)
        .outerjoin(Ticket, tickets.c.id == counters.c.current_ticket_id)
        .where(counters.c.site_id == bindparam("site_id"), counters.c.id == bindparam("counter_id"))
    )
    return query.with_for_update(of=counters) if lock else query


#: The domain rows :meth:`QueueRepository.changed_rows` writes itself, by class.
_PLAIN_UPDATES: dict[type, Table] = {Ticket: tickets, Counter: counters}


@dataclass(frozen=True)
class RowChange:
    """The changed columns of one row, by id (:meth:`QueueRepository.changed_rows`)."""

    table: Table
    row_id: int
    values: dict[str, object]

    def shape(self) -> tuple[Table, frozenset[str]]:
        """What the statement writing it depends on: the table and the columns."""
        return self.table, frozenset(self.values)

    def parameters(self, prefix: str = "") -> dict[str, object]:
        """Its values for :func:`_update_by_id` built with the same ``prefix``."""
        values = {f"{prefix}{key}": value for key, value in self.values.items()}
        return {f"{prefix}row_id": self.row_id, **values}


@functools.cache
def _update_by_id(table: Table, keys: frozenset[str], prefix: str = "") -> Update:
    """An UPDATE of ``keys`` of one row by id, built once per set of changed columns:
    building one per call cost more than the ORM flush it replaces. Its parameters
    are named with ``prefix``, so several can ride in one statement."""
    return (
        update(table)
        .where(table.c.id == bindparam(f"{prefix}row_id"))
        .values({key: bindparam(f"{prefix}{key}") for key in sorted(keys)})
    )


@functools.cache
def _write_by_id(table: Table, keys: frozenset[str]) -> Prepared:
    """:func:`_update_by_id` on the driver's cursor: call-next writes two or three rows."""
    return Prepared(_update_by_id(table, keys))


#: The columns of an event row, in the order :func:`_events_with_changes` binds them.
_EVENT_COLUMNS = (
    "site_id", "at", "kind", "actor", "service_id", "counter_id", "ticket_id", "payload"
)
#: A commit with more events than this (a day's end) inserts them as a batch of
#: their own; call-next has two, a ticket's issue one.
_EVENTS_IN_ONE_STATEMENT = 4


@functools.lru_cache(maxsize=64)
def _events_with_changes(
    count: int, shapes: tuple[tuple[Table, frozenset[str]], ...]
) -> CompoundSelect:
    """PostgreSQL: a commit's ``count`` events and its row changes (``shapes``) in one
    statement, one round trip while the site's event order is held; it returns the
    event ids. Each change is a data-modifying CTE, which PostgreSQL runs whether or
    not it is referenced. Each event is a one-row INSERT selecting from the one
    before, so the rows are numbered in the order given (an INSERT of many rows would
    be numbered in order too, but SQLAlchemy compiles such a statement afresh on every
    call, which cost more than the round trips saved). Built once per shape."""
    changes = [
        _update_by_id(table, keys, f"c{i}_").cte(f"change_{i}")
        for i, (table, keys) in enumerate(shapes)
    ]
    inserted: list[CTE] = []
    for i in range(count):
        values = [bindparam(f"e{i}_{c}", type_=events.c[c].type).label(c) for c in _EVENT_COLUMNS]
        row = select(*values)
        if inserted:
            row = row.select_from(inserted[-1])
        statement = insert(events).from_select(_EVENT_COLUMNS, row).returning(events.c.id, _NOTIFY)
        inserted.append(statement.cte(f"event_{i}"))
    ids = union_all(*(select(event.c.id) for event in inserted))
    written = frozenset({events.name, *(table.name for table, _ in shapes)})
    return ids.add_cte(*changes, *inserted).execution_options(also_writes=written)


def _class_in_order(priority: bool) -> Select[Ticket]:
    """A class's waiting tickets at some services, first-in first-out by queue time."""
    return (
        select(Ticket)
        .where(
            tickets.c.service_id.in_(bindparam("service_ids", expanding=True)),
            tickets.c.state == TicketState.WAITING,
            tickets.c.priority.is_not(None) if priority else tickets.c.priority.is_(None),
        )
        .order_by(tickets.c.queued_at, tickets.c.id)
    )


@functools.cache
def _heads_query(lock: bool) -> Select[Ticket]:
    """The first waiting ticket of each class in one statement: call-next reads both
    while it holds the site's event order, where every round trip counts."""
    heads = []
    for priority in (True, False):
        head = _class_in_order(priority).limit(1)
        if lock:
            head = head.with_for_update(skip_locked=True)
        heads.append(select(head.cte("priority_head" if priority else "normal_head")))
    return select(aliased(Ticket, union_all(*heads).subquery("heads")))


def _place() -> Tuple:
    """A ticket's place in its class: queue time, then id. Compared as one row value,
    so that SQLite walks only the index range on the one side of the ticket."""
    return tuple_(tickets.c.queued_at, tickets.c.id)


def _place_of_ticket() -> Tuple:
    return tuple_(bindparam("queued_at", type_=tickets.c.queued_at.type), bindparam("ticket_id"))


def _in_class(priority: bool) -> ColumnElement[bool]:
    return tickets.c.priority.is_not(None) if priority else tickets.c.priority.is_(None)


@functools.cache
def _ahead_query(priority: bool, strict: bool) -> Prepared:
    """Count the waiting tickets ahead: the whole queue before the ticket."""
    earlier = and_(
        tickets.c.service_id == bindparam("service_id"),
        tickets.c.state == TicketState.WAITING,
        tickets.c.id != bindparam("ticket_id"),
    )
    condition = and_(_in_class(priority), _place() < _place_of_ticket())
    if strict and not priority:
        condition = condition | tickets.c.priority.is_not(None)
    return Prepared(select(func.count()).where(earlier, condition))


def _class_length(priority: bool) -> ColumnElement[int]:
    w = waiting_counts.c
    length = select(w.waiting).where(
        w.service_id == bindparam("service_id"), w.priority.is_(priority)
    )
    return func.coalesce(length.scalar_subquery(), 0)


@functools.cache
def _ahead_from_tail_query(priority: bool, strict: bool) -> Prepared:
    """The same count from the class's length (``waiting_counts``, SQLite) less the
    ticket and those behind it: a new ticket walks no queue."""
    behind = select(func.count()).where(
        tickets.c.service_id == bindparam("service_id"),
        tickets.c.state == TicketState.WAITING,
        _in_class(priority),
        _place() > _place_of_ticket(),
    )
    ahead = _class_length(priority) - 1 - behind.scalar_subquery()
    if strict and not priority:
        ahead = ahead + _class_length(True)
    return Prepared(select(ahead))


@functools.cache
def _recent_done_query(
    limit: int,
) -> Select[TicketState, datetime | None, datetime | None, datetime | None, int]:
    t = tickets.c
    return (
        select(t.state, t.called_at, t.serving_at, t.finished_at, t.parked_s)
        .where(t.service_id == bindparam("service_id"), t.state == TicketState.DONE)
        .order_by(t.finished_at.desc())
        .limit(limit)
    )


@functools.cache
def _next_seq_statement(postgres: bool) -> Prepared:
    """The numbering upsert: insert ``last_number`` for a new day, else add it."""
    if postgres:
        from sqlalchemy.dialects import postgresql  # a CLI on SQLite never loads it

        upsert: postgresql.Insert | sqlite.Insert = postgresql.insert(daily_sequences)
    else:
        upsert = sqlite.insert(daily_sequences)
    return Prepared(
        upsert.on_conflict_do_update(
            index_elements=[daily_sequences.c.service_id, daily_sequences.c.day],
            set_={"last_number": daily_sequences.c.last_number + upsert.excluded.last_number},
        ).returning(daily_sequences.c.last_number)
    )


_INSERT_TICKET = Prepared(insert(tickets).returning(tickets.c.id))
#: Every kiosk ticket asks it, and nearly always finds nothing: an index probe on the
#: cursor, where the ORM's select cost ~0.3 ms, a fifth of issuing.
_TICKET_BY_REQUEST = Prepared(
    select(tickets.c.id).where(
        tickets.c.source == bindparam("source"),
        tickets.c.request_key == bindparam("request_key"),
    )
)
_TICKET_COLUMNS = tuple(column.key for column in tickets.c if column.key != "id")
_SITE_ROW = select(sites).where(sites.c.id == bindparam("site_id"))
_SERVICE_ROW = select(services).where(
    services.c.site_id == bindparam("site_id"), services.c.code == bindparam("code")
)

#: How long a site's or service's settings read by one request serve the next (seconds).
CONFIG_CACHE_S = 2.0
#: How long a service's pace (recent service times, open counters) serves the wait
#: estimates of the next tickets (seconds), while no counter changes.
PACE_CACHE_S = 2.0


#: What :class:`ConfigRows` keeps of a site's settings: the site, a service, all services.
Settings = Site | Service | tuple[Service, ...]


@dataclass(frozen=True)
class ServicePace:
    """What the estimated wait divides by: recent service times, newest first, and
    how many open counters serve the service."""

    recent_s: list[float]
    open_counters: int


class ConfigRows:
    """Reads every request makes and almost nothing changes, kept a moment per process
    (:class:`FreshCache`): the site and service settings, which an admin's change in
    this process refreshes at once and one made by another process within
    :data:`CONFIG_CACHE_S`; and each service's pace, until a counter changes (every
    call, finish, pause or opening writes its row) or for :data:`PACE_CACHE_S`."""

    def __init__(
        self, db: Database, ttl_s: float = CONFIG_CACHE_S, pace_s: float = PACE_CACHE_S
    ) -> None:
        self.settings: FreshCache[tuple[str, int, str], Settings] = FreshCache(
            db, frozenset({sites.name, services.name}), ttl_s
        )
        self.pace: FreshCache[tuple[int, int], ServicePace] = FreshCache(
            db, frozenset({counters.name, counter_services.name}), pace_s
        )
        #: Each counter's services, in its order: read by every call-next.
        self.desks: FreshCache[int, tuple[int, ...]] = FreshCache(
            db, frozenset({counter_services.name}), ttl_s
        )


class QueueRepository:
    def __init__(self, session: Session, config: ConfigRows | None = None) -> None:
        self.session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._services: dict[int | None, Service] = {}
        self._config = config
        #: Counters' current tickets read along with them, held here: the session
        #: keeps its objects only while someone refers to them.
        self._current: dict[int, Ticket] = {}

    @property
    def row_locks(self) -> bool:
        """True where transactions run concurrently and rows must be locked (PostgreSQL);
        SQLite write transactions are serialised whole (``BEGIN IMMEDIATE``)."""
        return self._postgres

    def add(self, entity: Site | Service | Counter | Ticket) -> None:
        """Store a new domain object now, so it has its id."""
        self.session.add(entity)
        self.session.flush()

    # sites, services, counters ------------------------------------------------
    def site(self, code: str) -> Site | None:
        return self.session.scalars(select(Site).where(sites.c.code == code)).first()

    def site_by_id(self, site_id: int) -> Site:
        site = self.session.scalars(_by_id(Site, sites), {"id": site_id}).first()
        if site is None:
            raise LookupError(f"site {site_id} missing")
        return site

    def site_copy(self, site_id: int) -> Site:
        """The site's settings to read, never to change: an object outside the session,
        shared by the requests of a moment (:class:`ConfigRows`)."""
        found = self._settings(("site", site_id, ""), Site, _SITE_ROW, {"site_id": site_id})
        if not isinstance(found, Site):
            raise LookupError(f"site {site_id} missing")
        return found

    def service_copy(self, site_id: int, code: str) -> Service:
        """The service's settings to read, never to change: :meth:`service` for a
        request that only reads them (issuing a ticket), like :meth:`site_copy`."""
        values = {"site_id": site_id, "code": code}
        found = self._settings(("service", site_id, code), Service, _SERVICE_ROW, values)
        if not isinstance(found, Service):
            raise UnknownService(
                f"There is no service {code!r} at this centre.",
                f"Trung tâm không có dịch vụ «{code}».",
            )
        return found

    def read_services(self, site_id: int) -> None:
        """Let :meth:`service_by_id` answer from copies of the site's services (kept
        by :class:`ConfigRows`) for the rest of this unit of work: for a use case that
        reads services and never changes them, such as a counter's actions."""

        def load() -> tuple[Service, ...]:
            rows = self.session.execute(
                select(services).where(services.c.site_id == site_id)
            ).all()
            return tuple(Service(**row._asdict()) for row in rows)

        key = ("services", site_id, "")
        found = load() if self._config is None else self._config.settings.get(key, load)
        if isinstance(found, tuple):
            self._services.update({service.id: service for service in found})

    def _settings(
        self,
        key: tuple[str, int, str],
        kind: type[Site] | type[Service],
        query: Select[Any],
        values: dict[str, Any],
    ) -> Settings | None:
        def load() -> Settings | None:
            found = self.session.execute(query, values).first()
            return None if found is None else kind(**found._asdict())

        return load() if self._config is None else self._config.settings.get(key, load)

    def sites(self) -> Sequence[Site]:
        return self.session.scalars(select(Site).order_by(sites.c.id)).all()

    def services(self, site_id: int) -> Sequence[Service]:
        found = self.session.scalars(_services_of_site(), {"site_id": site_id}).all()
        # The session's identity map holds objects weakly: keep them for service_by_id.
        self._services.update({service.id: service for service in found})
        return found

    def service(self, site_id: int, code: str) -> Service:
        found = self.session.scalars(_service_by_code(), {"site_id": site_id, "code": code}).first()
        if found is None:
            raise UnknownService(
                f"There is no service {code!r} at this centre.",
                f"Trung tâm không có dịch vụ «{code}».",
            )
        return found

    def service_by_id(self, service_id: int) -> Service:
        found = self._services.get(service_id) or self.session.get(Service, service_id)
        if found is None:
            raise UnknownService()
        self._services[service_id] = found
        return found

    def counters(self, site_id: int) -> Sequence[Counter]:
        query = select(Counter).where(counters.c.site_id == site_id).order_by(counters.c.number)
        return self.session.scalars(query).all()

    def find_counter(self, site_id: int, number: int) -> Counter | None:
        """The counter people know by ``number`` (the sign above it), if the site has one."""
        query = select(Counter).where(counters.c.site_id == site_id, counters.c.number == number)
        return self.session.scalars(query).first()

    def counter_by_number(self, site_id: int, number: int) -> Counter:
        found = self.find_counter(site_id, number)
        if found is None:
            raise UnknownCounter(f"There is no counter {number}.", f"Không có quầy {number}.")
        return found

    def counter(self, site_id: int, counter_id: int, *, lock: bool = False) -> Counter:
        """The counter (its row locked if ``lock``); its current ticket is read along, so
        :meth:`current_ticket` finds it without another statement."""
        row = self.session.execute(
            _counter_query(lock), {"site_id": site_id, "counter_id": counter_id}
        ).first()
        found = None if row is None else row[0]
        if row is not None and row[1] is not None:
            self._current[row[1].id or 0] = row[1]
        if found is None:
            raise UnknownCounter(
                f"There is no counter {counter_id} at this centre.",
                f"Trung tâm không có quầy {counter_id}.",
            )
        return found

    def counter_service_ids(self, counter_id: int) -> list[int]:
        def load() -> tuple[int, ...]:
            return tuple(self.session.scalars(_COUNTER_SERVICE_IDS, {"counter_id": counter_id}))

        return list(load() if self._config is None else self._config.desks.get(counter_id, load))

    def counter_service_map(self, site_id: int) -> dict[int, list[int]]:
        query = (
            select(counter_services.c.counter_id, counter_services.c.service_id)
            .join(counters, counters.c.id == counter_services.c.counter_id)
            .where(counters.c.site_id == site_id)
            .order_by(counter_services.c.counter_id, counter_services.c.position)
        )
        result: dict[int, list[int]] = {}
        for counter_id, service_id in self.session.execute(query):
            result.setdefault(counter_id, []).append(service_id)
        return result

    def set_counter_services(self, counter_id: int, service_ids: Sequence[int]) -> None:
        self.session.execute(
            counter_services.delete().where(counter_services.c.counter_id == counter_id)
        )
        for position, service_id in enumerate(service_ids):
            self.session.execute(
                insert(counter_services).values(
                    counter_id=counter_id, service_id=service_id, position=position
                )
            )

    # numbering -----------------------------------------------------------------
    def next_seq(self, service_id: int, day: str, count: int = 1) -> int:
        """Reserve ``count`` numbers of the service's day; return the last one.

        One upsert statement: the row lock (PostgreSQL) or the write lock
        (SQLite) makes it atomic, so no number is ever issued twice.
        """
        values = {"service_id": service_id, "day": day, "last_number": count}
        return int(_next_seq_statement(self._postgres).scalar(self.session, values))

    # number blocks (kiosk offline mode) ---------------------------------------------
    def last_reserved(self, service_id: int, day: str, floor: int) -> int | None:
        """The highest number at or above ``floor`` any block of the service's day holds.

        Read after :meth:`next_seq` (``count=0``) in the same transaction: that holds the
        day's numbering row (PostgreSQL row lock, SQLite writer lock) until commit, so
        two kiosks leasing at once read one after the other and never share a number.
        """
        b = number_blocks.c
        query = select(func.max(b.last_seq)).where(
            b.service_id == service_id, b.day == day, b.last_seq >= floor
        )
        found = self.session.execute(query).scalar_one()
        return None if found is None else int(found)

    def add_block(
        self,
        site_id: int,
        service_id: int,
        day: str,
        device: str,
        *,
        first_seq: int,
        last_seq: int,
        created_at: datetime,
    ) -> int:
        """Store a block of numbers reserved under the numbering row's lock; return its id."""
        statement = (
            insert(number_blocks)
            .values(
                site_id=site_id,
                service_id=service_id,
                day=day,
                device=device,
                first_seq=first_seq,
                last_seq=last_seq,
                created_at=created_at,
            )
            .returning(number_blocks.c.id)
        )
        return int(self.session.execute(statement).scalar_one())

    def block(
        self, site_id: int, block_id: int, device: str, *, lock: bool = False
    ) -> NumberBlock | None:
        """The block, if ``device`` leased it at this site: no other device hands it over.
        ``lock``: its row is held to the commit, so its hand-overs run one at a time."""
        b = number_blocks.c
        query = select(number_blocks).where(
            b.id == block_id, b.site_id == site_id, b.device == device
        )
        row = self.session.execute(query.with_for_update() if lock else query).first()
        return None if row is None else NumberBlock(**row._asdict())

    # tickets -------------------------------------------------------------------
    def add_ticket(self, ticket: Ticket) -> None:
        """Store a new ticket with one INSERT, outside the session (no flush of the
        ORM, a third of the cost of issuing); it gets its id."""
        values = {key: getattr(ticket, key) for key in _TICKET_COLUMNS}
        ticket.id = int(_INSERT_TICKET.scalar(self.session, values))

    def ticket_by_request(self, source: str, request_key: str) -> Ticket | None:
        """The ticket a device (``source``) was issued for its request key, if any."""
        found = _TICKET_BY_REQUEST.rows(
            self.session, {"source": source, "request_key": request_key}
        )
        return self.session.get(Ticket, found[0][0]) if found else None

    def ticket_by_number(self, service_id: int, day: str, number: str) -> Ticket | None:
        """The ticket of a service with that number that day, whatever its state."""
        t = tickets.c
        query = select(Ticket).where(t.service_id == service_id, t.day == day, t.number == number)
        return self.session.scalars(query).first()

    def ticket(self, site_id: int, ticket_id: int) -> Ticket:
        found = self.session.get(Ticket, ticket_id)
        if found is None or found.site_id != site_id:
            raise UnknownTicket()
        return found

    def ticket_by_token(self, token: str) -> Ticket | None:
        query = (
            select(Ticket).where(tickets.c.track_token == token).order_by(tickets.c.id.desc())
        )
        return self.session.scalars(query).first()

    def current_ticket(self, counter: Counter) -> Ticket | None:
        if counter.current_ticket_id is None:
            return None
        # Usually read along with the counter (:meth:`counter`): no statement then.
        ticket = self._current.get(counter.current_ticket_id) or self.session.scalars(
            _by_id(Ticket, tickets), {"id": counter.current_ticket_id}
        ).first()
        if ticket is None or ticket.state not in (TicketState.CALLED, TicketState.SERVING):
            return None
        return ticket

    def heads(
        self, service_ids: Sequence[int], *, lock: bool
    ) -> tuple[Ticket | None, Ticket | None]:
        """The first waiting priority ticket and the first other one; rows locked by
        other counters' call-nexts are skipped."""
        if not service_ids:
            return None, None
        found = self.session.scalars(_heads_query(lock), {"service_ids": list(service_ids)})
        prio = normal = None
        for ticket in found:
            if ticket.priority is None:
                normal = ticket
            else:
                prio = ticket
        return prio, normal

    def waiting(self, service_ids: Sequence[int], *, priority: bool, limit: int) -> list[Ticket]:
        """The first ``limit`` waiting tickets of a class, in the order :meth:`heads` takes them."""
        if not service_ids:
            return []
        query = _class_in_order(priority).limit(limit)
        return list(self.session.scalars(query, {"service_ids": list(service_ids)}))

    def transfer_chain(self, ticket: Ticket) -> list[Ticket]:
        """The entries a transferred ticket came through, the first one first."""
        chain: list[Ticket] = []
        origin = ticket.transferred_from_id
        while origin is not None:
            entry = self.session.scalars(_by_id(Ticket, tickets), {"id": origin}).first()
            if entry is None:
                break
            chain.append(entry)
            origin = entry.transferred_from_id
        return chain[::-1]

    def waiting_by_number(self, service_ids: Sequence[int], day: str, number: str) -> Ticket:
        query = (
            select(Ticket)
            .where(
                tickets.c.service_id.in_(service_ids),
                tickets.c.day == day,
                tickets.c.number == number,
                tickets.c.state.in_([TicketState.WAITING, TicketState.NO_SHOW]),
            )
            .order_by(tickets.c.id.desc())
            .with_for_update()
        )
        found = self.session.scalars(query).first()
        if found is None:
            raise UnknownTicket(
                f"Number {number} is not waiting at this counter's services today.",
                f"Số {number} không có trong hàng chờ của quầy hôm nay.",
            )
        return found

    def ticket_to_resume(
        self, service_ids: Sequence[int], day: str, *, number: str | None, ticket_id: int | None
    ) -> Ticket | None:
        """Today's entry of these services with that number (its newest) or id, locked
        whatever its state: of two officers resuming it, the second waits for the first
        and then reads the state the first left (PostgreSQL; SQLite runs them in turn)."""
        t = tickets.c
        where = [t.service_id.in_(service_ids), t.day == day]
        where.append(t.id == ticket_id if ticket_id is not None else t.number == number)
        query = select(Ticket).where(*where).order_by(t.id.desc()).limit(1).with_for_update()
        return self.session.scalars(query.execution_options(populate_existing=True)).first()

    def parked(self, service_ids: Sequence[int], day: str) -> Sequence[Ticket]:
        """Today's parked tickets of these services, the longest parked first."""
        query = (
            select(Ticket)
            .where(
                tickets.c.service_id.in_(service_ids),
                tickets.c.day == day,
                tickets.c.state == TicketState.PARKED,
            )
            .order_by(tickets.c.parked_at, tickets.c.id)
        )
        return self.session.scalars(query).all()

    def waiting_counts(self, site_id: int) -> dict[int, dict[str, int]]:
        query = (
            select(tickets.c.service_id, tickets.c.priority.is_not(None), func.count())
            .where(tickets.c.site_id == site_id, tickets.c.state == TicketState.WAITING)
            .group_by(tickets.c.service_id, tickets.c.priority.is_not(None))
        )
        counts: dict[int, dict[str, int]] = {}
        for service_id, is_priority, count in self.session.execute(query):
            entry = counts.setdefault(service_id, {"priority": 0, "normal": 0})
            entry["priority" if is_priority else "normal"] += count
        return counts

    def ahead_of(self, ticket: Ticket, strict: bool, *, just_queued: bool = False) -> int:
        """Waiting tickets of the same service that will be called before this one.

        Counting walks the queue on one side of the ticket. For a ticket ``just_queued``
        (issued, or synced from a kiosk's number block), usually at the tail of its
        class, SQLite counts those behind it and takes them from the class's length
        (migration 0018); any other ticket, and every ticket on PostgreSQL, which
        keeps no lengths, counts those before it."""
        tail = just_queued and not self._postgres
        count = _ahead_from_tail_query if tail else _ahead_query
        query = count(bool(ticket.priority), strict)
        values = {
            "service_id": ticket.service_id,
            "ticket_id": ticket.id or 0,
            "queued_at": ticket.queued_at,
        }
        return int(query.scalar(self.session, values) or 0)

    def recent_service_times(self, service_id: int, limit: int) -> list[float]:
        """Service times of the service's last finished tickets, newest first.

        Reads only the columns ``Ticket.service_time_s`` looks at and applies that
        very rule to the rows: building whole tickets cost ~0.4 ms per issued ticket.
        """
        rows = self.session.execute(_recent_done_query(limit), {"service_id": service_id})
        times = (service_time_s(*row) for row in rows)
        return [t for t in times if t is not None]

    def open_counters_for(self, service_id: int) -> int:
        return int(self.session.scalar(_OPEN_COUNTERS_FOR, {"service_id": service_id}) or 0)

    def service_pace(self, service_id: int, sample: int) -> ServicePace:
        """The service's last ``sample`` service times and open counters (kept by
        :class:`ConfigRows`): every issued ticket's estimate needs them, and they move
        only when a counter finishes a ticket, opens or pauses."""

        def load() -> ServicePace:
            return ServicePace(
                self.recent_service_times(service_id, sample), self.open_counters_for(service_id)
            )

        return load() if self._config is None else self._config.pace.get((service_id, sample), load)

    def current_tickets(self, site_id: int) -> dict[int, Ticket]:
        query = select(Ticket).where(
            tickets.c.site_id == site_id,
            tickets.c.state.in_([TicketState.CALLED, TicketState.SERVING]),
        )
        return {t.counter_id: t for t in self.session.scalars(query) if t.counter_id}

    def officer_name(self, user_id: int) -> str | None:
        """How a counter's officer is shown to visitors: the full name, else the username."""
        row = self.session.execute(
            select(users.c.full_name, users.c.username).where(users.c.id == user_id)
        ).first()
        return (row.full_name or row.username) if row else None

    def release_officer(self, officer_id: int, except_counter: int) -> None:
        self.session.execute(
            update(Counter)
            .where(counters.c.officer_id == officer_id, counters.c.id != except_counter)
            .values(officer_id=None)
        )

    # events --------------------------------------------------------------------
    def order_events(self, site_id: int) -> None:
        """Make a site's events commit in id order, so replay after an id misses none.

        On PostgreSQL concurrent transactions could otherwise commit a higher event id
        before a lower one; holding the site row (``FOR NO KEY UPDATE``, which leaves
        foreign-key checks free) from the first event to the commit serialises only
        the tail of the writing transactions. SQLite already commits one at a time.
        """
        if self._postgres:
            self.session.execute(_SITE_ROW_LOCK, {"site_id": site_id})

    def append_events(
        self, batch: Sequence[dict[str, Any]], changes: Sequence[RowChange] = ()
    ) -> list[int]:
        """Insert events, with ``changes`` (:meth:`changed_rows`); return the ids, which
        follow the order given. On PostgreSQL a few events and the changes are one
        statement (:func:`_events_with_changes`); SQLite, with no round trip to save,
        runs one cached INSERT per event; a large batch is one batch INSERT.

        Each has ``site_id``, ``kind``, ``actor``, ``at`` (datetime), ``payload``
        (a dict, stored as JSON) and optionally ``service_id``, ``counter_id``,
        ``ticket_id``. On PostgreSQL the same statement notifies ``EVENTS_CHANNEL``,
        so the other server processes wake when these rows commit, at no extra round trip.
        """
        rows = [
            {
                "service_id": None,
                "counter_id": None,
                "ticket_id": None,
                **event,
                "payload": event["payload"],
            }
            for event in batch
        ]
        few = len(rows) <= _EVENTS_IN_ONE_STATEMENT
        if self._postgres and few:
            statement = _events_with_changes(len(rows), tuple(c.shape() for c in changes))
            values = {
                f"e{i}_{column}": row[column]
                for i, row in enumerate(rows)
                for column in _EVENT_COLUMNS
            }
            for i, change in enumerate(changes):
                values.update(change.parameters(f"c{i}_"))
            return sorted(int(event_id) for event_id in self.session.scalars(statement, values))
        self.write(changes)
        if few:
            # SQLite: a statement costs no round trip, and a batch of a few rows cost
            # more to assemble (its SQL is built afresh each time) than one each.
            found = [_APPEND_EVENT.scalar(self.session, row) for row in rows]
        else:
            batch_insert = _APPEND_EVENTS_NOTIFYING if self._postgres else _APPEND_EVENTS
            found = list(self.session.scalars(batch_insert, rows))
        return sorted(int(event_id) for event_id in found)

    # changes -------------------------------------------------------------------
    def changed_rows(self) -> list[RowChange]:
        """The changed columns of each loaded ticket and counter as one plain UPDATE,
        to give :meth:`write` or :meth:`append_events`; the objects stay in the session,
        marked clean as a flush leaves them, so the session's flush has nothing to do.

        The ORM's unit of work cost call-next half of its time for three small
        updates. When rows are to be inserted or deleted, everything goes to the
        flush, which orders it.

        Marking an object clean is SQLAlchemy's own post-flush step
        (``InstanceState._commit_all``, private: pyproject bounds SQLAlchemy below
        2.2). Marking each attribute stored instead (``set_committed_value``) left
        the objects flagged as modified, and the flush then walked them to find
        nothing: 12 % of an in-process call-next (1.77 → 1.56 ms, SQLite).
        """
        session = self.session
        if session.new or session.deleted:
            return []
        dirty = [e for e in session.dirty if type(e) in _PLAIN_UPDATES]
        changes: list[RowChange] = []
        for entity in sorted(dirty, key=lambda e: (_PLAIN_UPDATES[type(e)].name, e.id or 0)):
            table = _PLAIN_UPDATES[type(entity)]
            state = inspect(entity)
            keys = set(table.c.keys()) - state.unmodified
            if keys:
                values = {key: getattr(entity, key) for key in sorted(keys)}
                changes.append(RowChange(table, entity.id or 0, values))
            state._commit_all(state.dict, session.identity_map)
        return changes

    def write(self, changes: Sequence[RowChange]) -> None:
        """Run ``changes`` (:meth:`changed_rows`) one by one, on the driver's cursor
        (:mod:`.prepared`): through the session, an UPDATE of a mapped table would look
        for objects to synchronise."""
        for change in changes:
            _write_by_id(*change.shape()).rows(self.session, change.parameters())

    def last_event_id(self, site_id: int) -> int:
        query = select(func.max(events.c.id)).where(events.c.site_id == site_id)
        return int(self.session.scalar(query) or 0)
