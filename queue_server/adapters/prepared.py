"""The few statements of the hottest paths, compiled once and run on the driver's cursor.

SQLAlchemy's Core spends 50-90 µs around each execution (the compiled cache's key,
an execution context, a result object, the event hooks), where SQLite runs a small
statement in 5-10 µs: on ticket issue and call-next that machinery cost more than
the database. :class:`Prepared` keeps the SQL string SQLAlchemy compiled for each
dialect and runs it on the session's own DB-API connection, inside its transaction,
with the same bind processing (``UtcDateTime``, enums, JSON) and the same errors:
a driver error is raised as SQLAlchemy raises it, with the engine's ``handle_error``
hooks (a full disk noted for the health check, a lost connection dropped from the
pool). A write tells the fresh caches (:func:`fresh_cache.note_writes`) as an
execution through the engine does.

It leans on two private parts of SQLAlchemy (``SQLCompiler._bind_processors``, and
``Connection._handle_dbapi_exception`` in ``database.on_cursor``): pyproject bounds
SQLAlchemy below 2.2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import ClauseElement, TableClause

from queue_server.adapters.database import on_cursor
from queue_server.adapters.fresh_cache import note_writes


@dataclass(frozen=True)
class _Compiled:
    compiled: SQLCompiler
    processors: tuple[tuple[str, Any], ...]

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        params = self.compiled.construct_params(values)
        for key, process in self.processors:
            params[key] = process(params[key])
        order = self.compiled.positiontup
        return params if order is None else [params[key] for key in order]


class Prepared:
    """One Core statement, run with ``values`` on a session's connection.

    An INSERT without ``.values()`` takes its columns from the keys of the first
    ``values`` given; every later call passes the same keys (each call site does).
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        table = getattr(statement, "table", None)
        self._writes = (
            frozenset({table.name})
            if isinstance(statement, UpdateBase) and isinstance(table, TableClause)
            else frozenset()
        )
        self._forms: dict[tuple[str, str], _Compiled] = {}

    def _form(self, connection: Connection, values: Mapping[str, Any]) -> _Compiled:
        dialect = connection.dialect
        key = (dialect.name, dialect.paramstyle)
        form = self._forms.get(key)
        if form is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(values))
            assert isinstance(compiled, SQLCompiler)
            processors = tuple(
                (name, process)
                for name, process in compiled._bind_processors.items()
                if callable(process)
            )
            form = self._forms[key] = _Compiled(compiled, processors)
        return form

    def rows(self, session: Session, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement; every row it returns, as plain tuples (no result types
        are applied: these statements return numbers)."""
        connection = session.connection()
        form = self._form(connection, values)
        found = on_cursor(connection, form.compiled.string, form.parameters(values))
        if self._writes:
            note_writes(connection, self._writes)
        return found

    def scalar(self, session: Session, values: Mapping[str, Any]) -> Any:
        """The first column of the one row the statement returns."""
        (row,) = self.rows(session, values)
        return row[0]
