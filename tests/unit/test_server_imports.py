"""What an administrative command loads: a command on SQLite leaves SQLAlchemy's
PostgreSQL dialect unloaded (about 20 ms of CPU), yet a PostgreSQL database still
gets the partial indexes' conditions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from queue_server.adapters.tables import complete_for_postgres, metadata

ROOT = Path(__file__).resolve().parents[2]


def test_a_command_on_sqlite_leaves_the_postgres_dialect_unloaded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    code = (
        "import sys, json; from queue_server.bootstrap import open_runtime;"
        "from queue_server.config import load_settings;"
        f"settings = {{'data_dir': {str(tmp_path)!r}, 'database_url': {url!r}}};"
        "runtime = open_runtime(load_settings(settings));"
        "runtime.db.engine.connect().close();"
        "print(json.dumps(sorted(m for m in sys.modules if 'dialects.postgresql' in m)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_postgres_gets_the_partial_indexes_conditions() -> None:
    complete_for_postgres()
    ddl = {
        index.name: str(CreateIndex(index).compile(dialect=postgresql.dialect()))
        for table in ("tickets", "appointments")
        for index in metadata.tables[table].indexes
    }
    assert ddl["ix_tickets_priority_queue"].endswith("WHERE priority IS NOT NULL")
    assert ddl["uq_appointments_phone_service_day"].endswith(
        "WHERE state IN ('booked', 'checked_in')"
    )
    assert "WHERE" not in ddl["ix_tickets_queue"]
