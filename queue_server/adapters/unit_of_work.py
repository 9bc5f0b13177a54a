"""A transaction around one use case: commit explicitly, roll back otherwise."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from device_kit.contract.events import EventKind
from queue_server.adapters.account_repository import AccountRepository, AccountStore
from queue_server.adapters.database import Database
from queue_server.adapters.fleet_repository import FleetRepository, FleetStore
from queue_server.adapters.repository import ConfigRows, QueueRepository

if TYPE_CHECKING:
    from queue_server.adapters.appointment_repository import AppointmentStore
    from queue_server.adapters.calendar_repository import CalendarStore
    from queue_server.adapters.dossier_repository import DossierStore
    from queue_server.adapters.procedure_repository import ProcedureStore
    from queue_server.adapters.rating_repository import RatingStore

log = logging.getLogger(__name__)

EventListener = Callable[[list[dict[str, Any]]], None]
T = TypeVar("T")

#: How long a transaction waits in this process's queue for a site's event order
#: (:meth:`UnitOfWork.hold_event_order`) before it goes to the row lock anyway: the
#: queue only spares PostgreSQL a crowd of waiters, and a wait PostgreSQL cannot see
#: must not become a deadlock it cannot break.
ORDER_QUEUE_WAIT_S = 2.0


class UnitOfWork:
    """Opens a session on the write engine (or the read engine when ``readonly``).

    Its repositories share that session: ``repo`` (the queue), ``fleet`` (devices and
    pairing) and ``accounts`` (users, tokens, sign-in attempts). The last two are typed
    by their protocols, which the use-case tests' fakes implement too.

    Events recorded through :meth:`record` are written at :meth:`commit`, after the
    one flush of the changes, and handed to ``on_commit`` listeners only after the
    commit succeeded, so nobody hears of a change that was lost. Other processes hear
    of them from the commit itself (PostgreSQL NOTIFY, ``QueueRepository.append_events``).
    """

    def __init__(
        self,
        db: Database,
        *,
        readonly: bool = False,
        listeners: list[EventListener] | None = None,
        config: ConfigRows | None = None,
    ) -> None:
        self._db = db
        self._config = config
        self._readonly = readonly
        self._listeners = listeners or []
        self._pending: list[dict[str, Any]] = []
        self._ordered: set[int] = set()

    def __enter__(self) -> UnitOfWork:
        self._shared = _joined.get()
        # A shared transaction holds the lock for its units.
        self._locks_writes = self._shared is None and not self._readonly
        if self._shared is not None:
            # Its reads, read-only ones too, see what the transaction's earlier work wrote.
            self.session = Session(
                bind=self._shared.connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
                autoflush=True,
            )
        else:
            engine = self._db.read_engine if self._readonly else self._db.engine
            if self._locks_writes:
                self._db.lock_writes()
            self.session = Session(bind=engine, expire_on_commit=False, autoflush=True)
        self.repo = QueueRepository(self.session, self._config)
        self.fleet: FleetStore = FleetRepository(self.session)
        self.accounts: AccountStore = AccountRepository(self.session)
        self._pending = []
        self._ordered = set()
        self._queued: list[threading.Lock] = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
            self.session.close()
        finally:
            self._leave_order_queues()
            if self._locks_writes:
                self._db.unlock_writes()

    # The dossier-side repositories are built on first use, and their modules imported
    # then: a ticket or a call never needs them, and a command such as ``create-token``
    # starts without the spreadsheet, calendar and search code they bring.
    @property
    def ratings(self) -> RatingStore:
        from queue_server.adapters.rating_repository import RatingRepository

        return RatingRepository(self.session)

    @property
    def dossiers(self) -> DossierStore:
        from queue_server.adapters.dossier_repository import DossierRepository

        return DossierRepository(self.session)

    @property
    def calendar(self) -> CalendarStore:
        from queue_server.adapters.calendar_repository import CalendarRepository

        return CalendarRepository(self.session)

    @property
    def procedures(self) -> ProcedureStore:
        from queue_server.adapters.procedure_repository import ProcedureRepository

        return ProcedureRepository(self.session)

    @property
    def appointments(self) -> AppointmentStore:
        from queue_server.adapters.appointment_repository import AppointmentRepository

        return AppointmentRepository(self.session)

    def record(self, *, kind: EventKind, **event: Any) -> None:
        """Add an event to this transaction (fields of ``QueueRepository.append_events``).

        ``kind`` is one of the contract's :class:`EventKind`: the devices and pages
        follow those names, so a kind spelt anywhere else is refused here (ValueError)
        and by the type checker; the log stores its plain string.

        The row is written at commit: the use case's changes then go out in one flush
        instead of one per event, and on PostgreSQL the site row that orders events
        (``order_events``) is held only for the last few statements, unless the use
        case took it earlier (:meth:`hold_event_order`).
        """
        self._pending.append({"kind": EventKind(kind).value, **event})

    def hold_event_order(self, site_id: int) -> None:
        """Take the site's event-order lock (``QueueRepository.order_events``) now
        instead of at commit, for a use case whose reads must follow that order too.

        Where it is a row lock (PostgreSQL), this process's transactions first queue
        for it here, one at a time, so at most one per process waits on the row.
        Measured with fifty counters calling back to back, two workers, alternating:
        194-256 calls/s with every transaction waiting on the row, 262-312/s queued
        here first; the row was held 3.1 ms a call instead of 4.1 (medians), its
        statements quicker with fewer transactions waiting on it.
        """
        if site_id not in self._ordered:
            if self.repo.row_locks:
                queue = self._db.order_queue(site_id)
                # Free (most sites, most of the time): taken without a timer.
                if queue.acquire(blocking=False) or queue.acquire(timeout=ORDER_QUEUE_WAIT_S):
                    self._queued.append(queue)
            self.repo.order_events(site_id)
            self._ordered.add(site_id)

    def commit(self) -> None:
        changes = self.repo.changed_rows()
        self.session.flush()
        pending, self._pending = self._pending, []
        for event in pending:
            self.hold_event_order(event["site_id"])
        if pending:
            ids = self.repo.append_events(pending, changes)
        else:
            self.repo.write(changes)
            ids = []
        committed = [{"id": id_, **event} for id_, event in zip(ids, pending, strict=True)]
        self.session.commit()
        self._ordered = set()
        self._leave_order_queues()
        if self._shared is not None:
            self._shared.after_commit(lambda: self._notify(committed))
        else:
            self._notify(committed)

    def _leave_order_queues(self) -> None:
        """Let the next transaction of this process go to the event order: at commit,
        when the row lock is gone too, or when this one ends otherwise."""
        queued, self._queued = self._queued, []
        for queue in queued:
            queue.release()

    def _notify(self, committed: list[dict[str, Any]]) -> None:
        """Tell each listener, each on its own: the change is already committed, so a
        listener that fails must neither stop the others nor turn the caller's success
        into an error (a kiosk told "failed" for a ticket that waits in the queue)."""
        for listener in self._listeners:
            try:
                listener(committed)
            except Exception:
                log.exception(
                    "a listener failed after commit (%s); the change stays committed",
                    getattr(listener, "__qualname__", repr(listener)),
                )


class SharedTransaction:
    """One SQLite write transaction for several use cases in a row: each unit of work
    opened in :meth:`joined` works in a savepoint of it, and its commit releases that
    savepoint; the work is durable, and its listeners hear of it, once :meth:`commit`
    writes them all. A use case that fails rolls back its own savepoint only.

    SQLite writes every page a transaction changed at its commit, ten-odd per ticket
    (the row, its indexes, the numbering, the event); tickets committed together share
    most of them (``write_turns`` says what that is worth). Whoever runs the use cases
    answers none of them before :meth:`commit` returns.

    It holds this process's write lock from start to end; the transaction itself begins
    with the first unit of work, inside that use case's retries (``services.unit_of_work``),
    so another process holding the database busy is waited out as before.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._after_commit: list[Callable[[], None]] = []
        self._connection: Connection | None = None

    def __enter__(self) -> SharedTransaction:
        self._db.lock_writes()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back what is left uncommitted (all of it after an error) and let go."""
        try:
            self._end()
        finally:
            self._db.unlock_writes()

    def _end(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.rollback()
            finally:
                connection.close()

    @property
    def connection(self) -> Connection:
        """The transaction's connection; the first caller begins the transaction."""
        if self._connection is None:
            self._connection = self._db.engine.connect()
            try:
                self._connection.begin()
            except BaseException:
                self._end()
                raise
        return self._connection

    def joined(self, work: Callable[[], T]) -> T:
        """``work()`` with the units of work it opens joining this transaction."""
        token = _joined.set(self)
        try:
            return work()
        finally:
            _joined.reset(token)

    @property
    def lost(self) -> bool:
        """Whether SQLite has rolled the whole transaction back itself, as it may on a
        full disk or an I/O error: the work done in it so far is gone."""
        if self._connection is None:
            return False
        driver = self._connection.connection.dbapi_connection
        return driver is None or not driver.in_transaction  # None: the connection was lost

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def commit(self) -> None:
        """Make the work durable, then tell the listeners of each unit, in order."""
        if self._connection is not None:
            self._connection.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()


#: The shared transaction that units of work opened here join (``SharedTransaction.joined``).
_joined: ContextVar[SharedTransaction | None] = ContextVar("motcua_shared", default=None)
