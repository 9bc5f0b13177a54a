"""The durable event log read back, an in-process broker, and PostgreSQL fan-out.

Every state change is already an ``events`` row written in the same transaction
(``UnitOfWork.record``). This module delivers those rows to live subscribers:

* the :class:`Broker` is a unit-of-work listener, so an event reaches the
  streams of this process right after its commit;
* while a process has streams open, its :class:`TableRelay` publishes rows that
  other processes committed (another server worker, the CLI). On PostgreSQL the
  INSERT of the events notifies ``motcua_events`` inside the committing
  transaction (``QueueRepository.append_events``) and the relay LISTENs, so it
  wakes at once; on SQLite it looks every half second. The relay reads the
  table, not the notification payload, so nothing is lost when notifications are
  coalesced, and it re-reads ids it saw skipped (a transaction that took an
  earlier id but committed later) for a few seconds.

The broker dedupes by id: an event published both locally and by the relay is
delivered once. Fan-out does the shared work once per event, before any
per-connection work: the wire form is built (and encoded) once, and subscribers
are grouped by site and by stream filter, so the filter is checked once per group
and a stream the event does not concern is not even woken. A subscriber that
falls too far behind is told to resync from the snapshot instead of growing
without bound.
"""

from __future__ import annotations

import json
import logging
import select as fd_select
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from queue_server.adapters.database import Database
from queue_server.adapters.repository import EVENTS_CHANNEL
from queue_server.adapters.tables import events
from queue_server.runtime import Runtime
from queue_server.services.public_views import is_public_kind, public_event

log = logging.getLogger(__name__)

#: How many events a stream replays before it asks the client to resync instead.
REPLAY_LIMIT = 2000

#: What a stream asked for besides its site: (service id, counter id), None for all.
StreamFilter = tuple[int | None, int | None]


@dataclass(frozen=True)
class Event:
    """One committed row of the event log."""

    id: int
    site_id: int
    kind: str
    at: str
    service_id: int | None
    counter_id: int | None
    payload: dict[str, Any]

    @classmethod
    def from_pending(cls, pending: dict[str, Any]) -> Event:
        """From what ``UnitOfWork.commit`` hands its listeners (same shape as the row)."""
        payload = json.loads(json.dumps(pending.get("payload") or {}, default=str))
        at = pending["at"]
        return cls(
            id=int(pending["id"]),
            site_id=int(pending["site_id"]),
            kind=pending["kind"],
            at=at.isoformat() if isinstance(at, datetime) else str(at),
            service_id=pending.get("service_id"),
            counter_id=pending.get("counter_id"),
            payload=payload,
        )

    @classmethod
    def from_row(cls, row: Any) -> Event:
        return cls(
            id=int(row.id),
            site_id=int(row.site_id),
            kind=row.kind,
            at=row.at.isoformat(),
            service_id=row.service_id,
            counter_id=row.counter_id,
            payload=row.payload,
        )

    def public_data(self) -> dict[str, Any]:
        """The payload cut to its kind's allow-list (``services.public_views.EVENTS``)."""
        return {**public_event(self.kind, self.payload), "at": self.at}

    def matches(self, service_id: int | None, counter_id: int | None) -> bool:
        """Filters apply only to events that carry the field (a config change reaches all)."""
        if not is_public_kind(self.kind):
            return False
        if service_id is not None and self.service_id not in (None, service_id):
            return False
        return counter_id is None or self.counter_id in (None, counter_id)

    @cached_property
    def sse(self) -> bytes:
        """The wire form, built and encoded once however many streams send it (the
        stream is public, so every audience reads the same allow-listed view)."""
        data = json.dumps(self.public_data(), ensure_ascii=False, separators=(",", ":"))
        return f"id: {self.id}\nevent: {self.kind}\ndata: {data}\n\n".encode()


def read_events(
    db: Database, site_id: int, after: int, limit: int = REPLAY_LIMIT, kinds: Iterable[str] = ()
) -> list[Event]:
    """Events of a site with id > ``after``, in id order."""
    query = select(events).where(events.c.site_id == site_id, events.c.id > after)
    if kinds:
        query = query.where(events.c.kind.in_(list(kinds)))
    with db.read_engine.connect() as conn:
        rows = conn.execute(query.order_by(events.c.id).limit(limit)).all()
    return [Event.from_row(row) for row in rows]


def recent_events(db: Database, site_id: int, kinds: Iterable[str], limit: int) -> list[Event]:
    """The newest ``limit`` events of the given kinds, newest first (the board's last calls)."""
    query = (
        select(events)
        .where(events.c.site_id == site_id, events.c.kind.in_(list(kinds)))
        .order_by(events.c.id.desc())
        .limit(limit)
    )
    with db.read_engine.connect() as conn:
        return [Event.from_row(row) for row in conn.execute(query).all()]


class Overflow(Exception):
    """The subscriber fell behind by more than its queue holds."""


class Subscription:
    """One stream's inbox: a deque and a wake-up flag, cheap to fill for hundreds of
    streams (under gevent the flag is gevent's Event). ``take`` raises
    :class:`Overflow` once events had to be dropped."""

    def __init__(
        self, broker: Broker, site_id: int, maxsize: int, wanted: StreamFilter = (None, None)
    ) -> None:
        self.site_id = site_id
        self.wanted = wanted
        self._broker = broker
        self._inbox: deque[Event] = deque()
        self._maxsize = maxsize
        self._ready = threading.Event()
        self.overflowed = False

    def put(self, event: Event) -> None:
        if len(self._inbox) >= self._maxsize:
            self.overflowed = True
        else:
            self._inbox.append(event)
        self._ready.set()

    def take(self, timeout: float) -> list[Event]:
        """Every event waiting now, or after up to ``timeout`` seconds; [] on silence."""
        batch = self._drain()
        if not batch and self._ready.wait(timeout):
            batch = self._drain()
        if self.overflowed:
            raise Overflow
        return batch

    def _drain(self) -> list[Event]:
        self._ready.clear()
        batch = []
        while self._inbox:
            batch.append(self._inbox.popleft())
        return batch

    def close(self) -> None:
        self._broker.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Broker:
    """Fans committed events out to the subscriptions of one process."""

    def __init__(self, db: Database | None = None, *, inbox_size: int = 1000) -> None:
        self._db = db
        self._inbox_size = inbox_size
        self._lock = threading.Lock()
        self._subscribers: dict[int, dict[StreamFilter, set[Subscription]]] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._relay: TableRelay | None = None

    def subscribe(
        self, site_id: int, service_id: int | None = None, counter_id: int | None = None
    ) -> Subscription:
        """Start buffering the events of ``site_id`` that pass the stream's filters
        (see :meth:`Event.matches`); do this *before* reading a replay."""
        wanted = (service_id, counter_id)
        subscription = Subscription(self, site_id, self._inbox_size, wanted)
        with self._lock:
            self._subscribers.setdefault(site_id, {}).setdefault(wanted, set()).add(subscription)
            if self._db is not None and self._relay is None:
                relay = TableRelay(self._db, self)
                try:
                    relay.start()
                except BaseException:
                    # No relay and no subscription: the stream's caller hears the
                    # error, and the next subscription starts a relay afresh.
                    self._withdraw(subscription)
                    raise
                self._relay = relay
        return subscription

    def release_idle_relay(self, relay: TableRelay) -> bool:
        """The relay runs only while this process has subscribers; True: it should end."""
        with self._lock:
            if any(self._subscribers.values()):
                return False
            if self._relay is relay:
                self._relay = None
            return True

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._withdraw(subscription)

    def _withdraw(self, subscription: Subscription) -> None:
        """Forget ``subscription`` (the caller holds the lock)."""
        groups = self._subscribers.get(subscription.site_id, {})
        group = groups.get(subscription.wanted, set())
        group.discard(subscription)
        if not group:
            groups.pop(subscription.wanted, None)
        if not groups:
            self._subscribers.pop(subscription.site_id, None)

    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(g) for groups in self._subscribers.values() for g in groups.values())

    def publish(self, batch: Iterable[Event]) -> None:
        """Each new event to the streams it concerns: serialised once, its site's
        filter groups checked once each, then only the inboxes are touched."""
        for event in batch:
            with self._lock:
                if event.id in self._seen:
                    continue
                self._seen[event.id] = None
                if len(self._seen) > 10_000:
                    self._seen.popitem(last=False)
                groups = self._subscribers.get(event.site_id, {})
                targets = [
                    subscription
                    for wanted, group in groups.items()
                    if event.matches(*wanted)
                    for subscription in group
                ]
            if targets:
                event.sse  # noqa: B018 - built here once, not by the first stream to send it
            for subscription in targets:
                subscription.put(event)

    def on_commit(self, committed: list[dict[str, Any]]) -> None:
        """The unit-of-work listener: publish to this process's streams. Other processes
        were notified by the commit itself (``QueueRepository.append_events``)."""
        self.publish(Event.from_pending(e) for e in committed)


class TableRelay:
    """Publishes rows committed by any process: woken by NOTIFY on PostgreSQL,
    looking every ``poll_s`` seconds on SQLite."""

    #: How long an id skipped by a later commit is looked for again.
    GAP_WAIT_S = 5.0

    def __init__(self, db: Database, broker: Broker) -> None:
        self._db = db
        self._broker = broker
        self._poll_s = 0.5 if db.is_sqlite else 1.0
        self._cursor = 0
        self._gaps: dict[int, float] = {}
        #: Since the last failure, no read has succeeded (:meth:`_note_failure`).
        self._failing = False

    def start(self) -> None:
        with self._db.read_engine.connect() as conn:
            self._cursor = int(conn.scalar(select(events.c.id).order_by(events.c.id.desc())) or 0)
        threading.Thread(target=self._run, name="motcua-event-relay", daemon=True).start()

    def _run(self) -> None:
        while not self._ending():
            try:
                if self._db.is_sqlite:
                    self._poll()
                else:
                    self._listen()
            except Exception as error:
                self._note_failure(error)
                time.sleep(1.0)

    def _note_failure(self, error: Exception) -> None:
        """Log the first failure of an outage with its traceback, then one line a retry:
        a database away for an hour would otherwise fill the journal with 3,600
        tracebacks (and on Python 3.11 each traceback parses source, which is not
        safe beside another thread compiling: CPython issue 106905)."""
        if self._failing:
            log.warning("event relay: the database is still unreachable (%s); retrying", error)
        else:
            log.exception("event relay lost its database connection; retrying")
        self._failing = True

    def _ending(self) -> bool:
        """The relay ends with the last subscriber of its process (a new one restarts it)."""
        return self._broker.release_idle_relay(self)

    def _poll(self) -> None:
        while not self._ending():
            self.catch_up()
            time.sleep(self._poll_s)

    def _listen(self) -> None:
        raw = self._db.engine.raw_connection()
        conn = raw.driver_connection
        raw.detach()
        if conn is None:
            raise RuntimeError("the pool handed out a closed connection")
        try:
            conn.autocommit = True
            conn.execute(f"LISTEN {EVENTS_CHANNEL}")
            self.catch_up()
            while not self._ending():
                # select() rather than psycopg's own wait: under gevent it is the patched,
                # cooperative one, while psycopg may have picked its C wait before patching.
                readable, _, _ = fd_select.select([conn.fileno()], [], [], self._poll_s)
                woke = bool(readable) and any(True for _ in conn.notifies(timeout=0))
                if woke or self._gaps:
                    self.catch_up()
        finally:
            conn.close()

    def catch_up(self) -> None:
        """Publish rows above the cursor and the late commits of ids seen skipped."""
        now = time.monotonic()
        self._gaps = {i: t for i, t in self._gaps.items() if now - t < self.GAP_WAIT_S}
        query = select(events).where(events.c.id > self._cursor)
        if self._gaps:
            query = select(events).where(
                (events.c.id > self._cursor) | events.c.id.in_(list(self._gaps))
            )
        with self._db.read_engine.connect() as conn:
            rows = conn.execute(query.order_by(events.c.id)).all()
        self._failing = False
        expected = self._cursor + 1
        for row in rows:
            self._gaps.pop(row.id, None)
            if row.id > self._cursor:
                self._gaps.update(dict.fromkeys(range(expected, row.id), now))
                expected = row.id + 1
                self._cursor = row.id
        self._broker.publish(Event.from_row(row) for row in rows)


def stream(
    subscription: Subscription,
    backlog: list[Event],
    *,
    heartbeat_s: float,
    retry_ms: int = 3000,
    overflowed_backlog: bool = False,
    peer_gone: Callable[[], bool] = lambda: False,
    check_s: float = 1.0,
) -> Iterator[bytes]:
    """The text/event-stream of one client: the backlog, then live events, heartbeats.

    ``subscription`` was opened before ``backlog`` was read, so an event committed
    in between is in both; ids already sent are skipped. The backlog is cut to the
    subscription's filters here, live events by the broker. While quiet, the stream
    asks ``peer_gone`` every ``check_s`` seconds and ends when the client left, so
    its connection is free in seconds, not at the next heartbeat.
    """
    try:
        yield f"retry: {retry_ms}\n: connected\n\n".encode()
        if overflowed_backlog:
            yield _resync()
            return
        replay = b"".join(e.sse for e in backlog if e.matches(*subscription.wanted))
        if replay:
            yield replay
        replayed = {event.id for event in backlog}
        sent = backlog[-1].id if backlog else 0
        last_beat = time.monotonic()
        while True:
            try:
                batch = subscription.take(timeout=min(heartbeat_s, check_s))
            except Overflow:
                yield _resync()
                return
            if not batch:
                if peer_gone():
                    return
                if time.monotonic() - last_beat >= heartbeat_s:
                    last_beat = time.monotonic()
                    beat = json.dumps({"last_event_id": sent})
                    yield f": heartbeat\nevent: heartbeat\ndata: {beat}\n\n".encode()
                continue
            fresh = [event for event in batch if event.id not in replayed]
            if fresh:
                sent = max(sent, *(event.id for event in fresh))
                yield b"".join(e.sse for e in fresh)
    finally:
        subscription.close()


def init_app(app: Flask, runtime: Runtime) -> Broker:
    """Give the app its broker and make it hear every commit of ``runtime``."""
    broker = Broker(runtime.db)
    runtime.listeners.append(broker.on_commit)
    app.extensions["motcua_broker"] = broker
    return broker


def current_broker() -> Broker:
    return current_app.extensions["motcua_broker"]


def _resync() -> bytes:
    """Too much was missed to replay: the client reloads the snapshot, then streams again."""
    return b'event: resync\ndata: {"reason":"too_far_behind"}\n\n'
