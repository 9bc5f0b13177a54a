"""The hot paths' statements on the driver's cursor (``adapters.prepared``) store what
SQLAlchemy would, fail as SQLAlchemy would, and keep the fresh caches honest: on
SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from server_fixtures import build_runtime
from sqlalchemy import bindparam, event, exc, insert, select, update

from queue_server.adapters.database import is_retryable
from queue_server.adapters.fresh_cache import FreshCache
from queue_server.adapters.prepared import Prepared
from queue_server.adapters.tables import counters, events
from queue_server.runtime import Runtime

ADD_EVENT = Prepared(insert(events).returning(events.c.id))
RENAME_COUNTER = Prepared(
    update(counters).where(counters.c.id == bindparam("row_id")).values(name=bindparam("name"))
)


def event_row(site_id: int | None, at: datetime) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "at": at,
        "kind": "ticket.issued",
        "actor": "kiosk-1",
        "service_id": None,
        "counter_id": None,
        "ticket_id": None,
        "payload": {"number": "A001", "tên": "Nguyễn Văn Ân"},
    }


def default_site(runtime: Runtime) -> int:
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        return site.id


def test_a_row_stored_on_the_cursor_reads_back_as_sqlalchemy_stored_it(runtime: Runtime) -> None:
    site_id = default_site(runtime)
    # A local time: stored as UTC by UtcDateTime, as through the engine.
    at = datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=7)))
    with runtime.uow() as uow:
        first = ADD_EVENT.scalar(uow.session, event_row(site_id, at))
        second = ADD_EVENT.scalar(uow.session, event_row(site_id, at + timedelta(seconds=1)))
        through_engine = uow.session.execute(
            insert(events).returning(events.c.id), event_row(site_id, at)
        ).scalar_one()
        uow.commit()
    assert second == first + 1
    with runtime.uow(readonly=True) as uow:
        rows = {
            row.id: row
            for row in uow.session.execute(
                select(events).where(events.c.id.in_([first, second, through_engine]))
            )
        }
    assert rows[first].at == at.astimezone(UTC) == rows[through_engine].at
    assert rows[second].at == (at + timedelta(seconds=1)).astimezone(UTC)
    assert rows[first].payload == {"number": "A001", "tên": "Nguyễn Văn Ân"}
    assert rows[first].payload == rows[through_engine].payload


def test_a_refused_statement_raises_as_sqlalchemy_does_and_reaches_its_error_hooks(
    runtime: Runtime,
) -> None:
    """The API's error handling (a 503 for a busy or full database, the health check's
    'storage full') reads SQLAlchemy's exceptions and the engine's ``handle_error``."""
    seen: list[type[BaseException]] = []

    def hook(context: Any) -> None:
        seen.append(type(context.original_exception))

    event.listen(runtime.db.engine, "handle_error", hook)
    try:
        with runtime.uow() as uow, pytest.raises(exc.IntegrityError) as refused:
            ADD_EVENT.scalar(uow.session, event_row(None, datetime.now(UTC)))
    finally:
        event.remove(runtime.db.engine, "handle_error", hook)
    assert isinstance(refused.value.orig, runtime.db.engine.dialect.loaded_dbapi.Error)
    assert "site_id" in str(refused.value)
    assert len(seen) == 1
    with runtime.uow(readonly=True) as uow:  # the refused transaction was rolled back
        assert uow.session.scalar(select(events.c.id).where(events.c.site_id.is_(None))) is None


def test_a_write_on_the_cursor_empties_the_caches_of_its_table_at_once(runtime: Runtime) -> None:
    site_id = default_site(runtime)
    cache: FreshCache[int, str] = FreshCache(runtime.db, frozenset({counters.name}), 60.0)

    def first_counter_name() -> str:
        with runtime.uow(readonly=True) as uow:
            return uow.repo.counters(site_id)[0].name

    with runtime.uow(readonly=True) as uow:
        counter_id = uow.repo.counters(site_id)[0].id

    before = cache.get(1, first_counter_name)
    with runtime.uow() as uow:
        RENAME_COUNTER.rows(uow.session, {"row_id": counter_id, "name": "Quầy mới"})
        uow.commit()
    assert before != "Quầy mới"
    assert cache.get(1, first_counter_name) == "Quầy mới"


def test_a_transaction_that_finds_sqlite_locked_fails_as_a_retryable_sqlalchemy_error(
    tmp_path: Path, clock: Any
) -> None:
    """``BEGIN IMMEDIATE`` runs on the cursor too (``database.on_cursor``): a writer
    kept waiting past the busy timeout must still be the error the use cases retry.
    SQLite only: a PostgreSQL transaction takes no lock to begin."""
    runtime = build_runtime(f"sqlite:///{tmp_path / 'locked.db'}", None, tmp_path, clock)
    engine = runtime.db.engine
    event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout=50"))
    engine.dispose()
    holder = sqlite3.connect(str(engine.url.database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(exc.OperationalError) as refused, engine.connect() as conn:
            conn.execute(select(1))
    finally:
        holder.rollback()
        holder.close()
    assert "locked" in str(refused.value.orig)
    assert is_retryable(refused.value)
    with runtime.uow() as uow:  # the lock released, the next writer goes through
        assert ADD_EVENT.scalar(uow.session, event_row(default_site(runtime), datetime.now(UTC)))
    runtime.db.dispose()
