"""Engines and migrations for SQLite (default) and PostgreSQL.

SQLite runs in WAL mode; write transactions start with ``BEGIN IMMEDIATE`` so
that numbering and call-next hold the single writer lock from their first read,
and readers use a second engine with plain deferred transactions so they never
queue behind writers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError

SQLITE_BUSY_TIMEOUT_MS = 5000
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

T = TypeVar("T")


@dataclass
class Database:
    """The write engine, and the engine for read-only work (the same on PostgreSQL)."""

    url: str
    engine: Engine
    read_engine: Engine
    #: SQLite admits one writer: queue this process's writers on a fair lock
    #: instead of SQLite's sleeping busy handler (other processes still use it).
    write_lock: threading.Lock | None = field(default=None, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()

    def read_connection(self) -> Connection:
        """A connection for one lone read, such as the bearer-token check on every request.

        On PostgreSQL it reads in autocommit mode, which spares the BEGIN and ROLLBACK
        round trips of a one-statement transaction; SQLite has no round trips to spare.
        """
        conn = self.read_engine.connect()
        if not self.is_sqlite:
            conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn

    def ping(self) -> str:
        with self.read_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return self.engine.dialect.name


def connect(url: str, *, schema: str | None = None) -> Database:
    """Open the database at ``url``; ``schema`` isolates a PostgreSQL test."""
    if url.startswith("sqlite"):
        return Database(
            url,
            _sqlite_engine(url, immediate=True),
            _sqlite_engine(url, immediate=False),
            write_lock=threading.Lock(),
        )
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    engine = create_engine(
        url, pool_size=20, max_overflow=40, pool_pre_ping=True, connect_args=connect_args
    )
    return Database(url, engine, engine)


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not pysqlite, decide how transactions start.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


def is_retryable(exc: BaseException) -> bool:
    """Lock contention worth one more try: SQLite busy, PostgreSQL deadlock/serialization."""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(exc, DBAPIError) and code in {"40001", "40P01"}


def with_retry(work: Callable[[], T], attempts: int = 5) -> T:
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts - 1 or not is_retryable(exc):
                raise
            time.sleep(0.02 * (2**attempt))
    raise AssertionError("unreachable")


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = db.engine
    return config


def migrate(db: Database) -> None:
    """Bring the schema to the newest revision; running it again changes nothing."""
    command.upgrade(alembic_config(db), "head")
