"""Write requests taking turns share one SQLite transaction (``write_turns`` and
``SharedTransaction``): nobody is answered, and no screen hears of a ticket, before
it is committed; a refusal undoes only its own work; a commit that fails leaves
nothing half-written and tells every request it held."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gevent
import pytest
from clocks import FakeClock
from server_fixtures import build_runtime, seed_callers
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from device_kit.contract.events import EventKind
from queue_server import write_turns
from queue_server.adapters.tables import services
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.app import create_app
from queue_server.bootstrap import demo_site
from queue_server.queueing.errors import DailyLimitReached
from queue_server.runtime import Runtime
from queue_server.services.site_ref import SiteRef
from queue_server.services.tickets import IssueRequest, issue_ticket
from queue_server.services.unit_of_work import run
from queue_server.write_turns import WriteTurns

LIMITED = "ho-tich"
LIMIT = 3


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    site = demo_site()
    site.services = [
        s.model_copy(update={"daily_limit": LIMIT if s.code == LIMITED else None})
        for s in site.services
    ]
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, FakeClock(), site)
    yield runtime
    runtime.db.dispose()


def _committed(runtime: Runtime, query: str) -> list[tuple[Any, ...]]:
    """What another connection sees: only what is committed."""
    path = runtime.db.engine.url.database
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as other:
        return other.execute(query).fetchall()


def _issue(runtime: Runtime, service: str) -> Callable[[], dict[str, Any]]:
    def work() -> dict[str, Any]:
        request = IssueRequest(service=service, source="kiosk-1")
        site = SiteRef(code="default")
        return issue_ticket(runtime.uow, site, request, "kiosk-1", runtime.clock(), 20)

    return work


def _turns_in_one_transaction(runtime: Runtime) -> WriteTurns:
    """Turns that poll and end a transaction only after a minute: whatever the machine's
    speed, the requests of a test share one transaction (beside CPU hogs the first
    request alone once outlasted the 20 ms budget and was committed on its own)."""
    return WriteTurns(runtime.db, poll_every_s=60, batch_s=60)


def _in_one_line(turns: WriteTurns, works: list[Callable[[], Any]]) -> list[gevent.Greenlet]:
    """Hand ``works`` to ``turns`` together: all are waiting in line when it starts."""
    callers = [gevent.spawn(turns.run, work) for work in works]
    gevent.joinall(callers, timeout=30)
    assert all(caller.dead for caller in callers)
    return callers


def test_a_refusal_among_tickets_served_together_undoes_only_its_own_work(
    runtime: Runtime,
) -> None:
    """Past the daily limit, the number the refused ticket drew goes back: the others,
    committed with it, keep theirs, and the next ticket after a raised limit follows on."""
    turns = _turns_in_one_transaction(runtime)
    callers = _in_one_line(turns, [_issue(runtime, LIMITED) for _ in range(LIMIT + 2)])

    issued = [caller.value["number"] for caller in callers if caller.successful()]
    refused = [caller.exception for caller in callers if not caller.successful()]
    assert len(issued) == LIMIT and len(set(issued)) == LIMIT
    assert all(isinstance(error, DailyLimitReached) for error in refused) and len(refused) == 2
    assert sorted(n for (n,) in _committed(runtime, "SELECT number FROM tickets")) == sorted(issued)

    def raise_limit(uow: UnitOfWork) -> None:
        uow.session.execute(
            update(services).where(services.c.code == LIMITED).values(daily_limit=None)
        )

    run(runtime.uow, raise_limit)
    (after,) = _in_one_line(turns, [_issue(runtime, LIMITED)])
    assert int(after.value["number"][-3:]) == LIMIT + 1, (issued, after.value["number"])


def test_a_failed_commit_tells_every_request_it_held_and_writes_none(runtime: Runtime) -> None:
    """A commit SQLite refuses (here a broken reference it checks only then) fails
    all the requests of that transaction; none is written, no screen hears of one,
    and the requests after it are served as before."""
    heard: list[list[dict[str, Any]]] = []
    runtime.listeners.append(heard.append)
    turns = _turns_in_one_transaction(runtime)

    def broken_reference() -> None:
        def work(uow: UnitOfWork) -> None:
            uow.session.execute(text("PRAGMA defer_foreign_keys = ON"))
            uow.session.execute(text("UPDATE tickets SET counter_id = 999999"))

        run(runtime.uow, work)

    seeded = _in_one_line(turns, [_issue(runtime, "dat-dai")])[0].value["number"]
    heard.clear()
    callers = _in_one_line(
        turns, [_issue(runtime, "dat-dai"), broken_reference, _issue(runtime, "dat-dai")]
    )

    assert all(isinstance(caller.exception, IntegrityError) for caller in callers)
    assert _committed(runtime, "SELECT number, counter_id FROM tickets") == [(seeded, None)]
    assert heard == []
    (next_one,) = _in_one_line(turns, [_issue(runtime, "dat-dai")])
    assert next_one.successful() and next_one.value["number"] != seeded
    assert [event["kind"] for batch in heard for event in batch] == [EventKind.TICKET_ISSUED]


def test_kiosks_issuing_at_once_are_answered_and_heard_only_once_committed(
    runtime: Runtime,
) -> None:
    """Eight kiosks through the app, tickets served together: each ticket is in the
    database for anyone to read by the time its screen event goes out and its kiosk
    gets its answer, and each number is issued once."""
    tokens, _ = seed_callers(runtime)
    app = create_app(runtime=runtime)
    app.extensions[write_turns.EXTENSION] = _turns_in_one_transaction(runtime)
    heard: list[int] = []
    unseen_when_heard: list[int] = []
    shared_commits: list[bool] = []

    def on_commit(events: list[dict[str, Any]]) -> None:
        ids = [e["ticket_id"] for e in events if e["kind"] == EventKind.TICKET_ISSUED]
        committed = {i for (i,) in _committed(runtime, "SELECT id FROM tickets")}
        heard.extend(ids)
        unseen_when_heard.extend(i for i in ids if i not in committed)
        # A later ticket already committed when this one is heard of: the same commit.
        shared_commits.append(any(i > max(ids) for i in committed))

    runtime.listeners.append(on_commit)
    header = {"Authorization": f"Bearer {tokens['kiosk']}"}
    answered: list[int] = []

    def kiosk() -> None:
        client = app.test_client()
        for _ in range(15):
            reply = client.post("/api/v1/tickets", json={"service": "dat-dai"}, headers=header)
            assert reply.status_code == 201, reply.get_json()
            assert reply.get_json()["id"] in {
                i for (i,) in _committed(runtime, "SELECT id FROM tickets")
            }
            answered.append(reply.get_json()["id"])

    gevent.joinall([gevent.spawn(kiosk) for _ in range(8)], timeout=60, raise_error=True)

    assert len(answered) == 120 and sorted(heard) == sorted(answered)
    assert unseen_when_heard == []
    numbers = _committed(runtime, "SELECT number FROM tickets")
    assert len(numbers) == 120 == len(set(numbers))
    assert any(shared_commits), "no two tickets ever shared a commit"


def test_requests_in_a_transaction_sqlite_gave_up_fail_and_those_behind_are_served(
    runtime: Runtime,
) -> None:
    """SQLite may roll a whole transaction back by itself (an I/O error, a full log):
    the requests already done in it are told they failed, none is written or heard
    of, and the request behind them gets a transaction of its own."""
    heard: list[list[dict[str, Any]]] = []
    runtime.listeners.append(heard.append)
    turns = _turns_in_one_transaction(runtime)

    def sqlite_gives_up() -> None:
        def work(uow: UnitOfWork) -> None:
            uow.session.connection().exec_driver_sql("ROLLBACK")  # as SQLite itself does
            raise OSError("disk I/O error")

        run(runtime.uow, work)

    first, failing, behind = _in_one_line(
        turns, [_issue(runtime, "dat-dai"), sqlite_gives_up, _issue(runtime, "dat-dai")]
    )

    assert first.exception is not None and failing.exception is not None
    assert behind.successful()
    assert _committed(runtime, "SELECT number FROM tickets") == [(behind.value["number"],)]
    assert [event["ticket_id"] for batch in heard for event in batch] == [behind.value["id"]]
