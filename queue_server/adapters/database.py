"""Engines and migrations for SQLite (default) and PostgreSQL.

SQLite runs in WAL mode; write transactions start with ``BEGIN IMMEDIATE`` so
that numbering and call-next hold the single writer lock from their first read,
and readers use a second engine with plain deferred transactions so they never
queue behind writers.

PostgreSQL is shared: every worker's pool is sized from the server's
``max_connections`` (:func:`pool_budget`), connecting and statements time out,
and after a failed connect the next ones fail at once for a moment, so an outage
answers 503 quickly instead of holding every request (:func:`failure_kind`).

Alembic (and PostgreSQL's dialect) is imported where a migration, the schema head
or PostgreSQL is needed: every command of ``motcua-server`` opens this module, and
most never migrate.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, make_url, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from queue_server.adapters.tables import complete_for_postgres

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.dialects.postgresql import Insert as PgInsert

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

#: PostgreSQL connections left free for everyone else: the CLI, backups, psql,
#: the dossier puller, another instance starting.
PG_RESERVE_CONNECTIONS = 10
#: Connections one worker never needs more of (gevent serves every request of a
#: worker from one thread; these cover the requests waiting on the database at once).
PG_POOL_MAX = 30
#: What ``max_connections`` is taken to be when it cannot be read (PostgreSQL's default).
PG_DEFAULT_MAX_CONNECTIONS = 100
#: Seconds to open a connection (psycopg enforces at least 2).
PG_CONNECT_TIMEOUT_S = 3
#: The longest a statement may run; a stuck one would hold its request and connection.
PG_STATEMENT_TIMEOUT_MS = 30_000
#: Seconds a request waits for a free pooled connection before a 503.
POOL_TIMEOUT_S = 2.0
#: After a failed connect, connects fail at once for this long (no pile-up of waits).
CONNECT_BACKOFF_S = 2.0

#: SQLSTATEs (or their two-letter classes) meaning the database cannot serve now.
_UNAVAILABLE_SQLSTATES = ("08", "53300", "57P01", "57P02", "57P03", "57014")
_STORAGE_FULL_SQLSTATES = ("53100",)
_READ_ONLY_SQLSTATES = ("25006",)
SQLITE_FULL = 13
#: Free space below which a SQLite data directory counts as full (a ticket needs a
#: few KB; the WAL and its checkpoint need room to grow).
SQLITE_MIN_FREE_BYTES = 1 << 20
#: How long a "disk full" answer keeps the health check saying so: a write probe can
#: succeed in space already allocated while real writes fail.
STORAGE_FULL_MEMORY_S = 60.0


@dataclass(frozen=True)
class DatabaseState:
    """What the health check reports: can this server read, write, and does the
    schema match the code (``problem`` is None when all is well)."""

    engine: str
    writable: bool
    schema: str | None
    expected_schema: str
    problem: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "db": self.engine,
            "writable": self.writable,
            "schema": self.schema,
            "expected_schema": self.expected_schema,
        }



@dataclass
class Database:
    """The write engine, and the engine for read-only work (the same on PostgreSQL)."""

    url: str
    engine: Engine
    read_engine: Engine
    #: SQLite admits one writer: queue this process's writers on a fair lock
    #: instead of SQLite's sleeping busy handler (other processes still use it).
    write_lock: threading.Lock | None = field(default=None, repr=False)
    #: When a write last failed for lack of space (``time.monotonic()``).
    storage_full_at: float = field(default=float("-inf"), repr=False)
    #: PostgreSQL: this process's queue in front of each site's event order, by site id
    #: (:meth:`order_queue`).
    _order_queues: dict[int, threading.Lock] = field(default_factory=dict, repr=False)

    def order_queue(self, site_id: int) -> threading.Lock:
        """Where this process's transactions wait their turn at ``site_id``'s event
        order (``UnitOfWork.hold_event_order``) before they wait on its row.

        Made on first use, in the worker: a lock made before gevent patched
        ``threading`` would block the whole worker instead of one request.
        """
        queue = self._order_queues.get(site_id)
        if queue is None:
            queue = self._order_queues.setdefault(site_id, threading.Lock())
        return queue

    def lock_writes(self) -> None:
        """Wait for this process's turn to write (:attr:`write_lock`; none on PostgreSQL)."""
        if self.write_lock is not None:
            self.write_lock.acquire()

    def unlock_writes(self) -> None:
        if self.write_lock is not None:
            self.write_lock.release()

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

    def check(self) -> DatabaseState:
        """Read the schema revision and commit a write that changes nothing."""
        revision: str | None = None
        problem: str | None = None
        self.lock_writes()
        try:
            with self.engine.begin() as conn:
                revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
                conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
        except DBAPIError as exc:
            problem = failure_kind(exc) or "database_unavailable"
        finally:
            self.unlock_writes()
        writable = problem is None
        if problem is None and self._storage_short():
            problem = "storage_full"
        if problem is None and revision != expected_revision():
            problem = "schema_outdated"
        return DatabaseState(
            self.engine.dialect.name, writable, revision, expected_revision(), problem
        )

    def _storage_short(self) -> bool:
        if time.monotonic() - self.storage_full_at < STORAGE_FULL_MEMORY_S:
            return True
        path = self.engine.url.database
        if not self.is_sqlite or not path or path == ":memory:":
            return False
        return shutil.disk_usage(Path(path).parent).free < SQLITE_MIN_FREE_BYTES


@cache
def expected_revision() -> str:
    """The newest migration this code ships (alembic head)."""
    from alembic.script import ScriptDirectory  # a second of CPU a command mostly needs not

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


def _remember_storage_full(db: Database) -> Database:
    """Note every write refused for lack of space, from any caller, for the health check."""

    def _on_error(context: Any) -> None:
        if failure_kind(context.sqlalchemy_exception) == "storage_full":
            db.storage_full_at = time.monotonic()

    for engine in {db.engine, db.read_engine}:
        event.listen(engine, "handle_error", _on_error)
    return db


def connect(url: str, *, schema: str | None = None, processes: int = 1) -> Database:
    """Open the database at ``url``; ``schema`` isolates a PostgreSQL test.

    ``processes`` is how many server processes share the PostgreSQL server's
    connections (the workers); each gets its share of ``max_connections``.
    """
    if url.startswith("sqlite"):
        return _remember_storage_full(
            Database(
                url,
                _sqlite_engine(url, immediate=True),
                _sqlite_engine(url, immediate=False),
                write_lock=threading.Lock(),
            )
        )
    connect_args = _postgres_connect_args(url, schema)
    complete_for_postgres()
    engine = create_engine(
        url,
        pool_size=pool_budget(_max_connections(url, connect_args), processes),
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,
        connect_args=connect_args,
    )
    _fail_fast_after_connect_errors(engine)
    return _remember_storage_full(Database(url, engine, engine))


def pool_budget(max_connections: int, processes: int) -> int:
    """Connections one process may pool: its share of what the server admits after the
    reserve, less the one each process keeps for LISTEN (``events.TableRelay``)."""
    share = (max_connections - PG_RESERVE_CONNECTIONS) // max(1, processes) - 1
    return max(2, min(PG_POOL_MAX, share))


def _postgres_connect_args(url: str, schema: str | None) -> dict[str, Any]:
    """Timeouts added to the libpq options already in the URL (a test's search_path);
    a ``connect_timeout`` in the URL wins over the default."""
    options = make_url(url).query.get("options") or ""
    if isinstance(options, tuple):
        options = " ".join(options)
    parts = [options, f"-cstatement_timeout={PG_STATEMENT_TIMEOUT_MS}"]
    if schema:
        parts.append(f"-csearch_path={schema}")
    return {
        "connect_timeout": make_url(url).query.get("connect_timeout") or PG_CONNECT_TIMEOUT_S,
        "options": " ".join(p for p in parts if p),
    }


def _max_connections(url: str, connect_args: dict[str, Any]) -> int:
    """The server's ``max_connections`` less its superuser slots; the default when
    the server cannot be asked now (the pool is sized once, at start)."""
    probe = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    try:
        with probe.connect() as conn:
            total = int(conn.scalar(text("SELECT current_setting('max_connections')")))
            reserved = conn.scalar(text("SELECT current_setting('superuser_reserved_connections')"))
        return total - int(reserved or 0)
    except DBAPIError as exc:
        # Unreachable now: the first real query says so in its own words (one line
        # at start-up, a 503 later); only a server that answers but will not tell
        # is worth a warning.
        level = logging.DEBUG if isinstance(exc, OperationalError) else logging.WARNING
        log.log(level, "could not read max_connections (%s); assuming %d",
                type(exc.orig).__name__, PG_DEFAULT_MAX_CONNECTIONS)
        return PG_DEFAULT_MAX_CONNECTIONS - 3
    finally:
        probe.dispose()


def _fail_fast_after_connect_errors(engine: Engine) -> None:
    """While the server is not answering, one request at a time tries to connect (at
    most every ``CONNECT_BACKOFF_S``) and every other one fails at once: during an
    outage requests get their 503 in milliseconds instead of each waiting out the
    connect timeout."""
    lock = threading.Lock()
    state = {"failed_at": float("-inf"), "probing": False}

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        with lock:
            down = state["failed_at"] > float("-inf")
            waited = time.monotonic() - state["failed_at"] >= CONNECT_BACKOFF_S
            if down and (state["probing"] or not waited):
                raise dialect.loaded_dbapi.OperationalError(
                    "the database did not answer a moment ago; not trying again yet"
                )
            state["probing"] = down
        try:
            connection = dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.Error:
            with lock:
                state["failed_at"], state["probing"] = time.monotonic(), False
            raise
        with lock:
            state["failed_at"], state["probing"] = float("-inf"), False
        return connection


def make_psycopg_cooperative() -> None:
    """Let psycopg's connect wait cooperatively once gevent patched this process.

    psycopg waits for a new connection on ``selectors.DefaultSelector``, bound when
    psycopg was first imported: in the gunicorn master, before the worker's monkey
    patching. Without this a server that accepts TCP but never answers would freeze
    the whole worker for the connect timeout (queries use ``PSYCOPG_WAIT_FUNC``).
    """
    try:
        from gevent import monkey
        from psycopg import waiting
    except ImportError:
        return
    if monkey.is_module_patched("selectors"):
        import selectors

        waiting.DefaultSelector = selectors.DefaultSelector  # type: ignore[misc]


def failure_kind(exc: BaseException) -> str | None:
    """``storage_full``, ``database_read_only`` or ``database_unavailable`` when
    ``exc`` says the database cannot serve now (an answer for the user, not a bug);
    None otherwise."""
    if isinstance(exc, sa_exc.TimeoutError):
        return "database_unavailable"
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate.startswith(_STORAGE_FULL_SQLSTATES):
        return "storage_full"
    if getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL or "disk is full" in str(orig):
        return "storage_full"
    if sqlstate.startswith(_READ_ONLY_SQLSTATES) or "readonly database" in str(orig):
        return "database_read_only"
    if sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
        return "database_unavailable"
    if isinstance(exc, OperationalError) and (exc.connection_invalidated or not sqlstate):
        return "database_unavailable" if not _sqlite_misuse(orig) else None
    return None


def _sqlite_misuse(orig: BaseException | None) -> bool:
    """SQLite errors that are bugs in a query, not a database that cannot serve."""
    text_ = str(orig).lower()
    return "syntax error" in text_ or "no such" in text_


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

    # SQLAlchemy compiles each savepoint statement and runs it through its execution
    # machinery: 0.18 ms to open one and 0.16 ms to release it (profiled), more than the
    # commit that the tickets sharing a transaction save (``SharedTransaction``).
    for method, sql in _SAVEPOINT_SQL.items():
        setattr(engine.dialect, method, partial(_savepoint, sql))

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Every transaction starts here: through ``exec_driver_sql`` an empty write
        # transaction cost 78 µs of CPU, on the cursor 62-66 µs.
        on_cursor(conn, begin, ())

    return engine


#: The dialect's savepoint methods, and the statement each runs on the driver's cursor.
_SAVEPOINT_SQL = {
    "do_savepoint": "SAVEPOINT",
    "do_release_savepoint": "RELEASE SAVEPOINT",
    "do_rollback_to_savepoint": "ROLLBACK TO SAVEPOINT",
}


def _savepoint(sql: str, connection: Connection, name: str) -> None:
    on_cursor(connection, f"{sql} {name}", ())


def on_cursor(
    connection: Connection, sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """Run ``sql`` on the connection's driver cursor, without SQLAlchemy's machinery
    around an execution (``adapters.prepared`` says why); every row it returns, as
    plain tuples. A driver error is raised as SQLAlchemy raises it, through the
    engine's ``handle_error`` hooks (a busy database retried, a full disk noted).

    It leans on ``Connection._handle_dbapi_exception``, private to SQLAlchemy:
    pyproject bounds SQLAlchemy below 2.2."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params)
        found = cursor.fetchall() if cursor.description else []
    except Exception as error:
        connection._handle_dbapi_exception(error, sql, params, cursor, None)
    finally:
        cursor.close()
    return [tuple(row) for row in found]


#: Unique indexes whose violation means "a twin request committed first": run
#: again, the work finds the twin's row (a ticket's ``request_key``).
_RETRY_ON_DUPLICATE = frozenset({"uq_tickets_request_key"})


def is_retryable(exc: BaseException) -> bool:
    """Lock contention worth one more try: SQLite busy, PostgreSQL deadlock/serialization,
    or a twin request that won a unique index of :data:`_RETRY_ON_DUPLICATE`."""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None)
    if isinstance(exc, IntegrityError) and code == "23505":
        return getattr(getattr(orig, "diag", None), "constraint_name", None) in _RETRY_ON_DUPLICATE
    return isinstance(exc, DBAPIError) and code in {"40001", "40P01"}


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = db.engine
    return config


def migrate(db: Database) -> None:
    """Bring the schema to the newest revision; running it again changes nothing."""
    from alembic import command

    command.upgrade(alembic_config(db), "head")


def dialect_insert(session: Session, table: Table) -> PgInsert | SqliteInsert:
    """An INSERT that can say ON CONFLICT in the words of the session's engine."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert  # only on PostgreSQL

        return pg_insert(table)
    return sqlite_insert(table)
