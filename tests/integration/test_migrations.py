"""Migrations build exactly the schema the code maps, and running them twice is harmless."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from queue_server.adapters.database import migrate
from queue_server.adapters.tables import metadata
from queue_server.runtime import Runtime


def test_migrated_schema_matches_the_tables_and_is_idempotent(runtime: Runtime) -> None:
    migrate(runtime.db)  # a second time: nothing to do
    with runtime.db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
        tables = set(inspect(conn).get_table_names())
    assert differences == []
    assert {"sites", "services", "counters", "tickets", "events", "alembic_version"} <= tables
