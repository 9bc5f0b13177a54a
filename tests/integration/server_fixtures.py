"""Building blocks for server tests: a migrated runtime with the example site,
users and tokens, and an authenticated test client."""

from __future__ import annotations

import atexit
import functools
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pg_schema import temporary_schema
from sqlalchemy import event

from queue_server.adapters.database import Database, connect, migrate
from queue_server.adapters.tables import start_mappers
from queue_server.app import create_app
from queue_server.bootstrap import demo_site
from queue_server.config import Settings
from queue_server.runtime import Runtime
from queue_server.services.auth import Role, create_user, issue_token
from queue_server.services.site_config import SiteFile, apply_site_file

PASSWORD = "mat-khau-an-toan"


@dataclass
class Api:
    """A test client plus the tokens of the demo callers."""

    client: FlaskClient
    runtime: Runtime
    tokens: dict[str, str] = field(default_factory=dict)
    counters: dict[int, int] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str | None = None, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if who:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def issue(self, service: str = "ho-tich", priority: str | None = None) -> dict[str, Any]:
        response = self.call(
            "POST", "/tickets", "kiosk", json={"service": service, "priority": priority}
        )
        assert response.status_code == 201, response.json
        return response.json

    def add_device(self, who: str, kind: str) -> None:
        """A second device of ``kind`` with a token of its own, called as ``who``."""
        with self.runtime.uow() as uow:
            site = uow.repo.site("default")
            assert site is not None
            self.tokens[who] = issue_token(
                uow, site_id=site.id or 0, kind=kind, name=who, now=self.runtime.clock()
            )
            uow.commit()

    def desk(self, number: int, action: str, who: str = "admin", **kwargs: Any) -> Any:
        return self.call("POST", f"/counters/{self.counters[number]}/{action}", who, **kwargs)


@functools.cache
def _migrated_sqlite() -> Path:
    """An empty SQLite database the migrations built, once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "migrated.db"
    db = connect(f"sqlite:///{path}")
    try:
        migrate(db)
    finally:
        db.dispose()
    return path


def _copy_migrated(db: Database, path: Path) -> None:
    """Give the SQLite file at ``path`` the migrated schema by copying it (SQLite's backup
    API): running the migrations was a fifth of a test's set-up. The migrations' own
    tests still run them (``test_migrations.py``, and the template is their output)."""
    with closing(sqlite3.connect(_migrated_sqlite())) as source:
        with closing(sqlite3.connect(path)) as target:
            source.backup(target)
    db.dispose()  # no connection opened before the copy outlives it


@functools.cache
def _migration_statements(url: str) -> tuple[tuple[str, Any, bool], ...]:
    """Every statement the migrations send PostgreSQL to build a schema, recorded once
    per test process in a schema of their own: (SQL, parameters, executemany)."""
    sent: list[tuple[str, Any, bool]] = []

    def remember(*args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, executemany = args
        sent.append((statement, parameters, executemany))

    with temporary_schema() as schema:
        db = connect(url, schema=schema)
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            migrate(db)
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
            db.dispose()
    return tuple(sent)


def _replay_migrations(db: Database, url: str) -> None:
    """Build a test's own PostgreSQL schema by sending the statements the migrations
    sent (:func:`_migration_statements`), in one transaction: alembic's own work
    around them was most of a test's set-up. ``test_migrations.py`` compares the
    result with the tables the code maps."""
    with db.engine.begin() as conn:
        cursor = conn.connection.cursor()
        for statement, parameters, many in _migration_statements(url):
            (cursor.executemany if many else cursor.execute)(statement, parameters)
        cursor.close()


def build_runtime(
    url: str, schema: str | None, tmp_path: Path, clock: Any, site: SiteFile | None = None
) -> Runtime:
    start_mappers()
    runtime = Runtime(
        settings=Settings(data_dir=tmp_path, database_url=url, secret_key="test"),
        db=connect(url, schema=schema),
        clock=clock,
    )
    if schema is None and url.startswith("sqlite:///"):
        _copy_migrated(runtime.db, Path(url.removeprefix("sqlite:///")))
    elif schema is not None:
        _replay_migrations(runtime.db, url)
    else:
        migrate(runtime.db)
    with runtime.uow() as uow:
        apply_site_file(uow, site or demo_site(), "test", clock())
        uow.commit()
    return runtime


def seeded_sqlite(folder: Path, clock: Any) -> tuple[str, dict[str, str], dict[int, int]]:
    """A migrated, seeded SQLite file in ``folder`` for a server process to open: its
    URL, the callers' tokens and the counter ids (:func:`seed_callers`)."""
    url = f"sqlite:///{folder / 'motcua.db'}"
    runtime = build_runtime(url, None, folder, clock)
    tokens, counters = seed_callers(runtime)
    runtime.db.dispose()
    return url, tokens, counters


def seed_callers(runtime: Runtime) -> tuple[dict[str, str], dict[int, int]]:
    """Users of every role, a kiosk and a board token; returns tokens and counter ids."""
    now = runtime.clock()
    tokens: dict[str, str] = {}
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        counters = {c.number: c.id or 0 for c in uow.repo.counters(site.id)}
        for role in Role:
            user_id = create_user(uow, site.id, role.value, role, PASSWORD, now)
            tokens[role.value] = issue_token(
                uow, site_id=site.id, kind="user", name=role.value, now=now, user_id=user_id
            )
        officer2 = create_user(uow, site.id, "officer2", Role.OFFICER, PASSWORD, now)
        tokens["officer2"] = issue_token(
            uow, site_id=site.id, kind="user", name="officer2", now=now, user_id=officer2
        )
        for kind in ("kiosk", "board", "rating"):
            tokens[kind] = issue_token(uow, site_id=site.id, kind=kind, name=f"{kind}-1", now=now)
        tokens["keypad3"] = issue_token(
            uow, site_id=site.id, kind="counter", name="keypad-3", now=now, counter_id=counters[3]
        )
        uow.commit()
    return tokens, counters


@pytest.fixture
def runtime(database_url: tuple[str, str | None], tmp_path: Path, clock: Any) -> Iterator[Runtime]:
    url, schema = database_url
    runtime = build_runtime(url, schema, tmp_path, clock)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def api(app: Flask, runtime: Runtime) -> Api:
    tokens, counters = seed_callers(runtime)
    return Api(app.test_client(), runtime, tokens, counters)
