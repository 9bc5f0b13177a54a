"""Many counters calling at once: every ticket called exactly once, in policy order.

Fifty threads run the call-next use case on SQLite; on PostgreSQL fifty threads
drive two real server processes over HTTP.

SQLite serialises whole write transactions (``BEGIN IMMEDIATE``), so the order is
exact there. PostgreSQL lets calls overlap (``SKIP LOCKED``), so a ticket may be
committed a little before one that was ahead of it: never by more than the
number of calls in flight.
"""

from __future__ import annotations

import random
import threading
from collections import Counter as Tally
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from live_server import LiveServer, database_env
from pg_schema import POSTGRES_URL, temporary_schema
from server_fixtures import build_runtime, seed_callers
from sqlalchemy import select

from queue_server.adapters.tables import events, tickets
from queue_server.bootstrap import demo_site
from queue_server.runtime import Runtime
from queue_server.services.counter_actions import Actor, CounterDesk, act
from queue_server.services.site_config import CounterSection, SiteFile
from queue_server.services.site_ref import SiteRef
from queue_server.services.tickets import IssueRequest, number_ticket

COUNTERS = 50
TICKETS = 2000


def crowded_site() -> SiteFile:
    site = demo_site()
    site.services = [s.model_copy(update={"daily_limit": None}) for s in site.services]
    site.counters = [
        CounterSection(number=n, name=f"Quầy {n}", services=["ho-tich"])
        for n in range(1, COUNTERS + 1)
    ]
    return site


def seed_waiting(runtime: Runtime, count: int) -> list[tuple[str, bool]]:
    """Issue ``count`` tickets (one in eight for the elderly), in one transaction."""
    rng = random.Random(7)
    issued = []
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None
        for _ in range(count):
            priority = "elderly" if rng.random() < 0.125 else None
            view = number_ticket(
                uow, site, IssueRequest("ho-tich", priority), "test", runtime.clock(), 20
            )
            issued.append((view["number"], priority is not None))
            runtime.clock.advance(milliseconds=100)  # 2,000 of them stay in one day
        uow.commit()
    return issued


def expected_order(issued: list[tuple[str, bool]]) -> list[str]:
    """Strict policy: every priority ticket first, each class by issue time."""
    return [n for n, p in issued if p] + [n for n, p in issued if not p]


def called_order(runtime: Runtime) -> list[str]:
    with runtime.uow(readonly=True) as uow:
        query = (
            select(tickets.c.number)
            .join(events, events.c.ticket_id == tickets.c.id)
            .where(events.c.kind == "ticket.called")
            .order_by(events.c.id)
        )
        return list(uow.session.scalars(query))


def assert_each_called_once(order: list[str], issued: list[tuple[str, bool]]) -> None:
    repeats = [number for number, times in Tally(order).items() if times > 1]
    assert repeats == []
    assert sorted(order) == sorted(n for n, _ in issued)


def max_displacement(order: list[str], expected: list[str]) -> int:
    position = {number: index for index, number in enumerate(expected)}
    return max(abs(position[number] - index) for index, number in enumerate(order))


def drain(call: Any, counter_ids: list[int]) -> int:
    """Each worker thread is one counter pressing 'call next' until nobody waits."""
    stop = threading.Event()

    def work(counter_id: int) -> int:
        calls = 0
        while not stop.is_set():
            status = call(counter_id)
            if status == 204:
                return calls
            assert status == 200, status
            calls += 1
        return calls

    with ThreadPoolExecutor(len(counter_ids)) as pool:
        return sum(pool.map(work, counter_ids))


def http_caller(servers: list[LiveServer], token: str) -> Callable[[int], int]:
    """A counter pressing 'call next' over HTTP, at server ``counter_id % len(servers)``,
    on one keep-alive connection per thread; returns the status."""
    header = {"Authorization": f"Bearer {token}"}
    local = threading.local()

    def call(counter_id: int) -> int:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        server = servers[counter_id % len(servers)]
        return local.session.post(
            f"{server.url}/api/v1/counters/{counter_id}/call-next", headers=header, timeout=30
        ).status_code

    return call


@pytest.mark.slow
def test_fifty_counters_drain_two_thousand_tickets_through_the_server_on_sqlite(
    tmp_path: Path, clock: Any
) -> None:
    """Through ``motcua-server run`` (one gevent worker, the counters' actions taking
    turns in arrival order): every ticket called once, in the policy's exact order."""
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, clock, crowded_site())
    tokens, counters = seed_callers(runtime)
    issued = seed_waiting(runtime, TICKETS)
    server = LiveServer(url, tmp_path).start()
    try:
        calls = drain(http_caller([server], tokens["admin"]), list(counters.values()))
    finally:
        server.stop()
    order = called_order(runtime)
    runtime.db.dispose()
    assert calls == TICKETS
    assert_each_called_once(order, issued)
    assert order == expected_order(issued)


@pytest.mark.slow
def test_fifty_threads_drain_two_thousand_tickets_on_sqlite(tmp_path: Path, clock: Any) -> None:
    """PostgreSQL gets the same drain through two server processes, below."""
    runtime = build_runtime(
        f"sqlite:///{tmp_path / 'motcua.db'}", None, tmp_path, clock, crowded_site()
    )
    _, counters = seed_callers(runtime)
    issued = seed_waiting(runtime, TICKETS)
    officer = Actor("user:admin")

    def call(counter_id: int) -> int:
        """The call-next use case the API runs, without the HTTP around it."""
        ticket = act(
            runtime.uow, SiteRef(code="default"), counter_id, officer, runtime.clock(),
            CounterDesk.call_next,
        )
        return 200 if ticket else 204

    calls = drain(call, list(counters.values()))
    order = called_order(runtime)
    assert calls == TICKETS
    assert_each_called_once(order, issued)
    assert order == expected_order(issued)
    runtime.db.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_server_processes_on_one_postgres_never_call_twice(
    postgres_ok: bool, tmp_path: Path, clock: Any
) -> None:
    if not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    servers: list[LiveServer] = []
    with temporary_schema() as schema:
        try:
            runtime = build_runtime(POSTGRES_URL, schema, tmp_path, clock, crowded_site())
            tokens, counters = seed_callers(runtime)
            issued = seed_waiting(runtime, TICKETS)
            for _ in range(2):
                servers.append(LiveServer(database_env(POSTGRES_URL, schema), tmp_path).start())
            calls = drain(http_caller(servers, tokens["admin"]), list(counters.values()))
            order = called_order(runtime)
            assert calls == TICKETS
            assert_each_called_once(order, issued)
            assert max_displacement(order, expected_order(issued)) <= COUNTERS
            runtime.db.dispose()
        finally:
            for server in servers:
                server.stop()
