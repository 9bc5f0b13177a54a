"""Several server processes on one database: a change made through one reaches the
event streams held by another (LISTEN/NOTIFY relay on PostgreSQL, polling on SQLite)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from dossier_fixtures import site_id
from live_server import LiveServer, database_env
from pg_schema import POSTGRES_URL, temporary_schema
from server_fixtures import build_runtime, seed_callers
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sse_reader import messages, take_events

from queue_server.adapters.database import connect
from queue_server.app import create_app
from queue_server.events import Broker
from queue_server.runtime import Runtime
from queue_server.services.site_ref import SiteRef
from queue_server.services.tickets import IssueRequest, issue_ticket


@pytest.fixture
def two_servers(
    postgres_ok: bool, tmp_path: Path, clock: Any
) -> Iterator[tuple[LiveServer, LiveServer, dict[str, str], dict[int, int]]]:
    if not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    with temporary_schema() as schema:
        runtime = build_runtime(POSTGRES_URL, schema, tmp_path, clock)
        tokens, counters = seed_callers(runtime)
        runtime.db.dispose()
        url = database_env(POSTGRES_URL, schema)
        first, second = (tmp_path / "one", tmp_path / "two")
        first.mkdir()
        second.mkdir()
        servers = [LiveServer(url, first), LiveServer(url, second)]
        try:
            for server in servers:
                server.start()
            yield servers[0], servers[1], tokens, counters
        finally:
            for server in servers:
                server.stop()


@pytest.mark.postgres
def test_a_call_through_one_process_reaches_a_stream_of_the_other(
    two_servers: tuple[LiveServer, LiveServer, dict[str, str], dict[int, int]],
) -> None:
    one, two, tokens, counters = two_servers
    kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    issued = [
        requests.post(
            f"{one.url}/api/v1/tickets", json={"service": "ho-tich"}, headers=kiosk, timeout=5
        ).json()["number"]
        for _ in range(2)
    ]

    with requests.get(f"{two.url}/api/v1/events", stream=True, timeout=10) as stream:
        events = messages(stream.iter_content(chunk_size=None))
        assert next(events).comment  # subscribed
        for counter in (3, 4):
            response = requests.post(
                f"{one.url}/api/v1/counters/{counters[counter]}/call-next",
                headers=admin,
                timeout=5,
            )
            assert response.status_code == 200
        called = take_events(events, 2, limit=100)

    assert [(m.kind, m.data["counter"], m.data["ticket"]["number"]) for m in called] == [
        ("ticket.called", 3, issued[0]),
        ("ticket.called", 4, issued[1]),
    ]
    assert called[0].id is not None and called[1].id is not None
    assert called[0].id < called[1].id


@pytest.mark.postgres
def test_a_commit_by_a_program_without_a_broker_wakes_the_streams_of_a_server(
    postgres_ok: bool, tmp_path: Path, clock: Any
) -> None:
    """The NOTIFY is sent by the events INSERT inside the committing transaction, not by
    a broker after it: a ticket queued by the CLI or an import (no broker, no listeners)
    still wakes every server process, whose relay otherwise reads only when notified."""
    if not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    with temporary_schema() as schema:
        runtime = build_runtime(POSTGRES_URL, schema, tmp_path, clock)
        server = LiveServer(database_env(POSTGRES_URL, schema), tmp_path).start()
        try:
            with requests.get(f"{server.url}/api/v1/events", stream=True, timeout=10) as stream:
                events = messages(stream.iter_content(chunk_size=None))
                assert next(events).comment  # subscribed
                issued = issue_ticket(
                    runtime.uow, SiteRef(code="default"), IssueRequest("ho-tich"), "cli",
                    clock(), wait_sample=20,
                )
                (got,) = take_events(events, 1, limit=100)
        finally:
            server.stop()
            runtime.db.dispose()

    assert got.kind == "ticket.issued" and got.data["number"] == issued["number"]


def test_on_sqlite_a_change_by_another_process_reaches_the_stream(
    tmp_path: Path, clock: Any
) -> None:
    """Two apps on one SQLite file stand for two processes (a second worker, the CLI):
    each has its own broker, so only the relay can carry the event across."""
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    here = build_runtime(url, None, tmp_path, clock)
    here.settings = here.settings.model_copy(update={"sse_heartbeat_s": 0.05})
    tokens, _ = seed_callers(here)
    there = Runtime(settings=here.settings, db=connect(url), clock=clock)
    other_process = create_app(runtime=there).test_client()

    response = create_app(runtime=here).test_client().get("/api/v1/events", buffered=False)
    try:
        events = messages(response.response)
        assert next(events).comment  # subscribed
        issued = other_process.post(
            "/api/v1/tickets",
            json={"service": "ho-tich"},
            headers={"Authorization": f"Bearer {tokens['kiosk']}"},
        )
        (got,) = take_events(events, 1, limit=400)
    finally:
        response.close()
        there.db.dispose()
        here.db.dispose()

    assert got.kind == "ticket.issued" and got.data["number"] == issued.json["number"]


def test_a_relay_that_could_not_start_is_started_by_the_next_subscriber(
    runtime: Runtime, clock: Any
) -> None:
    """A stream opened while the database is away (a PostgreSQL restart, an exhausted
    pool) fails, and leaves neither a subscription nor a relay behind that is marked
    as running: before, the process's streams never heard another process again."""
    broker = Broker(runtime.db)
    with runtime.db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE events RENAME TO events_away"))
    with pytest.raises(SQLAlchemyError):
        broker.subscribe(1)
    assert broker.subscriber_count() == 0
    with runtime.db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE events_away RENAME TO events"))

    with broker.subscribe(site_id(runtime)) as subscription:
        issued = issue_ticket(
            runtime.uow, SiteRef(code="default"), IssueRequest("ho-tich"), "cli", clock(),
            wait_sample=20,
        )
        got: list[Any] = []
        for _ in range(100):  # the relay reads within a second (polling or NOTIFY)
            got += subscription.take(0.1)
            if got:
                break
    assert [(e.kind, e.payload["number"]) for e in got] == [("ticket.issued", issued["number"])]


def test_a_relay_cut_off_from_the_database_logs_one_traceback_then_a_line_a_retry(
    tmp_path: Path, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An outage is logged once in full, then one line per retry (not a traceback a
    second all the while); back at work, the relay delivers again."""
    runtime = build_runtime(f"sqlite:///{tmp_path / 'motcua.db'}", None, tmp_path, clock)
    broker = Broker(runtime.db)
    running = {thread.ident for thread in threading.enumerate()}

    def relay_says() -> list[logging.LogRecord]:
        """What this broker's relay logged (another test's may still be ending)."""
        return [r for r in caplog.records if r.thread == relay]

    try:
        with broker.subscribe(site_id(runtime)) as subscription:
            (relay,) = {
                t.ident for t in threading.enumerate() if t.name == "motcua-event-relay"
            } - running
            with caplog.at_level(logging.WARNING, logger="queue_server.events"):
                with runtime.db.engine.begin() as conn:
                    conn.execute(text("ALTER TABLE events RENAME TO events_away"))
                deadline = time.monotonic() + 60
                while len(relay_says()) < 3 and time.monotonic() < deadline:
                    time.sleep(0.05)
                with runtime.db.engine.begin() as conn:
                    conn.execute(text("ALTER TABLE events_away RENAME TO events"))
            outage = relay_says()
            issued = issue_ticket(
                runtime.uow, SiteRef(code="default"), IssueRequest("ho-tich"), "cli", clock(),
                wait_sample=20,
            )
            got: list[Any] = []
            deadline = time.monotonic() + 60  # the relay retries after a second, then polls
            while not got and time.monotonic() < deadline:
                got += subscription.take(0.1)
    finally:
        runtime.db.dispose()

    assert len(outage) >= 3
    assert outage[0].exc_info is not None and "lost its database" in outage[0].getMessage()
    assert all(r.exc_info is None and "still unreachable" in r.getMessage() for r in outage[1:])
    assert [(e.kind, e.payload["number"]) for e in got] == [("ticket.issued", issued["number"])]
