"""Rows every request reads and almost nothing writes, kept a moment per process.

A :class:`FreshCache` answers from memory for ``ttl_s`` seconds and forgets all it
holds the moment this process writes to one of the tables it watches (any insert,
update or delete through the engine, when executed and again at its commit). A
write by another process (a second worker, the CLI) is seen within ``ttl_s``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

from sqlalchemy import Connection, Executable, event
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import TableClause

from queue_server.adapters.database import Database

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Entries kept at most; past it the cache starts afresh.
FRESH_CACHE_SIZE = 4096


class FreshCache(Generic[K, V]):
    """``get(key, load)``: ``load()``'s answer, kept ``ttl_s`` unless ``tables`` change.

    ``None`` (nothing found) is never kept: a row created elsewhere is found at once.
    A write that lands while ``load`` runs keeps its answer out of the cache.
    """

    def __init__(self, db: Database, tables: frozenset[str], ttl_s: float) -> None:
        self._tables = tables
        self._ttl_s = ttl_s
        self._kept: dict[K, tuple[V, int, float]] = {}
        self._generation = 0
        self._flag = f"writes:{id(self)}"
        for engine in {db.engine, db.read_engine}:
            event.listen(engine, "after_execute", self._on_execute)
            event.listen(engine, "commit", self._on_commit)

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

    def _on_execute(
        self,
        conn: Connection,
        statement: Executable,
        multiparams: object,
        params: object,
        execution_options: Mapping[str, object],
        result: object,
    ) -> None:
        if not isinstance(statement, UpdateBase):
            return
        table = statement.table
        # A statement also writing other tables (its CTEs) names them in ``also_writes``.
        also = execution_options.get("also_writes", frozenset())
        named = {table.name} if isinstance(table, TableClause) else set()
        if named & self._tables or (isinstance(also, frozenset) and also & self._tables):
            conn.info[self._flag] = True
            self.forget()

    def _on_commit(self, conn: Connection) -> None:
        if conn.info.pop(self._flag, False):
            self.forget()
