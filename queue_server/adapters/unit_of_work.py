"""A transaction around one use case: commit explicitly, roll back otherwise."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from queue_server.adapters.database import Database
from queue_server.adapters.repository import QueueRepository

EventListener = Callable[[list[dict[str, Any]]], None]


class UnitOfWork:
    """Opens a session on the write engine (or the read engine when ``readonly``).

    Events appended through :meth:`record` are handed to ``on_commit`` listeners
    only after the commit succeeded, so nobody hears of a change that was lost.
    """

    def __init__(
        self,
        db: Database,
        *,
        readonly: bool = False,
        listeners: list[EventListener] | None = None,
    ) -> None:
        self._db = db
        self._readonly = readonly
        self._listeners = listeners or []
        self._pending: list[dict[str, Any]] = []

    def __enter__(self) -> UnitOfWork:
        engine = self._db.read_engine if self._readonly else self._db.engine
        self._lock = None if self._readonly else self._db.write_lock
        if self._lock is not None:
            self._lock.acquire()
        self.session = Session(bind=engine, expire_on_commit=False, autoflush=True)
        self.repo = QueueRepository(self.session)
        self._pending = []
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
            if self._lock is not None:
                self._lock.release()

    def record(self, **event: Any) -> int:
        """Append an event in this transaction (see ``QueueRepository.append_event``)."""
        self.session.flush()
        if not self._pending:
            self.repo.order_events(event["site_id"])
        event_id = self.repo.append_event(**event)
        self._pending.append({"id": event_id, **event})
        return event_id

    def commit(self) -> None:
        self.session.commit()
        pending, self._pending = self._pending, []
        for listener in self._listeners:
            listener(pending)
