"""Rows every request reads and almost nothing writes, kept a moment per process.

A :class:`FreshCache` answers from memory for ``ttl_s`` seconds and forgets all it
holds the moment this process writes to one of the tables it watches (any insert,
update or delete through the engine, when executed and again at its commit). A
write by another process (a second worker, the CLI) is seen within ``ttl_s``.

Each engine has one watcher (:class:`_EngineWrites`), however many caches and
runtimes share it: a statement costs one check, and a cache that is no longer
used is let go instead of being kept alive by the engine's listeners.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable, Mapping
from collections.abc import Set as AbstractSet
from typing import Generic, Protocol, TypeVar, overload

from sqlalchemy import Connection, Engine, Executable, event
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import TableClause

from queue_server.adapters.database import Database

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Entries kept at most; past it the cache starts afresh.
FRESH_CACHE_SIZE = 4096
#: ``conn.info`` key: the watched tables the connection's open transaction wrote.
_WRITTEN = "motcua_written_tables"


class _Watcher(Protocol):
    tables: frozenset[str]

    def forget(self) -> None: ...


class _EngineWrites:
    """The engine's one set of listeners: tells each cache when a statement, then its
    transaction's commit, wrote a table it watches."""

    def __init__(self, engine: Engine) -> None:
        self.caches: weakref.WeakSet[_Watcher] = weakref.WeakSet()
        #: Every table some cache watches (kept past a cache let go): a write to none
        #: of them, such as each ticket and event, costs one set intersection.
        self.watched: frozenset[str] = frozenset()
        event.listen(engine, "after_execute", self._on_execute)
        event.listen(engine, "commit", self._on_commit)
        event.listen(engine, "rollback", self._on_rollback)

    def _forget(self, written: AbstractSet[str]) -> bool:
        if not self.watched & written:
            return False
        hit = [cache for cache in list(self.caches) if cache.tables & written]
        for cache in hit:
            cache.forget()
        return bool(hit)

    def _on_execute(
        self,
        conn: Connection,
        statement: Executable,
        multiparams: object,
        params: object,
        execution_options: Mapping[str, object],
        result: object,
    ) -> None:
        # A statement also writing other tables (its CTEs) names them in ``also_writes``,
        # a SELECT whose CTEs write included.
        also = execution_options.get("also_writes", frozenset())
        written = set(also) if isinstance(also, frozenset) else set()
        if isinstance(statement, UpdateBase) and isinstance(statement.table, TableClause):
            written.add(statement.table.name)
        self.wrote(conn, written)

    def wrote(self, conn: Connection, written: AbstractSet[str]) -> None:
        """Forget what ``written`` changes now, and again at the transaction's commit."""
        if written and self._forget(written):
            conn.info.setdefault(_WRITTEN, set()).update(written)

    def _on_commit(self, conn: Connection) -> None:
        written = conn.info.pop(_WRITTEN, None)
        if written:
            self._forget(written)

    def _on_rollback(self, conn: Connection) -> None:
        conn.info.pop(_WRITTEN, None)


_watchers: weakref.WeakKeyDictionary[Engine, _EngineWrites] = weakref.WeakKeyDictionary()
_watchers_lock = threading.Lock()


def note_writes(conn: Connection, written: frozenset[str]) -> None:
    """Tell the caches of ``conn``'s engine that it wrote ``written`` by a way the
    engine's listeners do not see (the driver's cursor, ``adapters.prepared``)."""
    writes = _watchers.get(conn.engine)
    if writes is not None:
        writes.wrote(conn, written)


def _watch(engine: Engine, cache: _Watcher) -> None:
    with _watchers_lock:
        writes = _watchers.get(engine)
        if writes is None:
            writes = _watchers[engine] = _EngineWrites(engine)
        writes.caches.add(cache)
        writes.watched |= cache.tables


class FreshCache(Generic[K, V]):
    """``get(key, load)``: ``load()``'s answer, kept ``ttl_s`` unless ``tables`` change.

    ``None`` (nothing found) is never kept: a row created elsewhere is found at once.
    A write that lands while ``load`` runs keeps its answer out of the cache.
    """

    def __init__(self, db: Database, tables: frozenset[str], ttl_s: float) -> None:
        self.tables = tables
        self._ttl_s = ttl_s
        self._kept: dict[K, tuple[V, int, float]] = {}
        self._generation = 0
        for engine in {db.engine, db.read_engine}:
            _watch(engine, self)

    @overload
    def get(self, key: K, load: Callable[[], V]) -> V: ...
    @overload
    def get(self, key: K, load: Callable[[], V | None]) -> V | None: ...
    def get(self, key: K, load: Callable[[], V | None]) -> V | None:
        now = time.monotonic()
        kept = self._kept.get(key)
        if kept is not None and kept[1] == self._generation and now - kept[2] < self._ttl_s:
            return kept[0]
        generation = self._generation
        value = load()
        if value is not None and generation == self._generation:
            if len(self._kept) >= FRESH_CACHE_SIZE:
                self._kept.clear()
            self._kept[key] = (value, generation, now)
        return value

    def forget(self) -> None:
        self._generation += 1
        self._kept.clear()
