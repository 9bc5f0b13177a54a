"""Write requests taking turns (``queue_server.write_turns``): first come, first served,
each caller gets its own answer or error, and new arrivals are let in while a long
line is served."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import gevent
import pytest
from flask import Flask, request

from queue_server import write_turns
from queue_server.adapters.database import connect
from queue_server.config import Settings
from queue_server.runtime import Runtime
from queue_server.write_turns import WriteTurns


@pytest.fixture
def turns(tmp_path: Path) -> Iterator[WriteTurns]:
    """Turns on a SQLite file that the work here never writes to."""
    db = connect(f"sqlite:///{tmp_path / 'turns.db'}")
    yield WriteTurns(db)
    db.dispose()


def _busy(seconds: float) -> None:
    """Hold the greenlet without yielding, as a request on SQLite does."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        pass


def _request(turns: WriteTurns, served: list[object], name: object) -> object:
    """One request: it notes when it is served, holds the line 0.5 ms, answers its name."""

    def work() -> object:
        served.append(name)
        _busy(0.0005)
        return name

    return turns.run(work)


def test_requests_are_served_in_the_order_they_arrived(turns: WriteTurns) -> None:
    served: list[object] = []

    callers = [gevent.spawn(_request, turns, served, number) for number in range(20)]
    gevent.joinall(callers, timeout=30, raise_error=True)
    assert served == list(range(20))
    assert [caller.value for caller in callers] == list(range(20))


def test_an_error_reaches_only_its_own_caller(turns: WriteTurns) -> None:

    def refused() -> int:
        raise ValueError("counter paused")

    first = gevent.spawn(turns.run, refused)
    second = gevent.spawn(turns.run, lambda: "called A001")
    gevent.joinall([first, second], timeout=30)
    assert isinstance(first.exception, ValueError)
    assert second.value == "called A001"


class _Stopped(BaseException):
    """Stands for what stops a greenlet rather than failing a request (a timeout, a kill)."""


def test_the_line_goes_on_when_the_server_greenlet_is_stopped(turns: WriteTurns) -> None:

    def stopped() -> None:
        raise _Stopped()

    first = gevent.spawn(turns.run, stopped)
    behind = [gevent.spawn(turns.run, lambda n=n: n) for n in range(3)]
    gevent.joinall([first, *behind], timeout=30)
    assert isinstance(first.exception, _Stopped)
    assert [caller.value for caller in behind] == [0, 1, 2]


def test_a_request_arriving_during_a_long_line_gets_in_line_within_a_few_requests(
    turns: WriteTurns,
) -> None:
    """The loop polls between requests every few ms: a newcomer takes its place in
    line then, not once the whole line is served (with 50 counters calling back to
    back, that made one call in each round of 50 wait two rounds)."""
    served: list[object] = []
    served_when_it_arrived: list[int] = []
    line = [gevent.spawn(_request, turns, served, f"waiting-{i}") for i in range(200)]

    def newcomer() -> None:
        gevent.sleep(0.001)  # its request arrives while the line is being served
        served_when_it_arrived.append(len(served))
        _request(turns, served, "newcomer")

    late = gevent.spawn(newcomer)
    gevent.joinall([*line, late], timeout=60, raise_error=True)
    assert 0 < served_when_it_arrived[0] < 100, served_when_it_arrived
    assert served[-1] == "newcomer"  # and after everyone who came before it


def test_the_work_sees_its_own_request(turns: WriteTurns) -> None:
    app = Flask(__name__)

    def caller(path: str) -> str:
        with app.test_request_context(path):
            return turns.run(lambda: request.path)

    paths = [f"/api/v1/counters/{n}/call-next" for n in (1, 2)]
    callers = [gevent.spawn(caller, path) for path in paths]
    gevent.joinall(callers, timeout=30, raise_error=True)
    assert [c.value for c in callers] == paths


@pytest.mark.parametrize(
    ("worker_class", "sqlite", "taken"),
    [("gevent", True, True), ("gthread", True, False), ("gevent", False, False)],
)
def test_turns_are_taken_only_by_gevent_workers_on_sqlite(
    tmp_path: Path, worker_class: str, sqlite: bool, taken: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}" if sqlite else "postgresql+psycopg://127.0.0.1/test"
    app = Flask(__name__)
    db = connect(url)
    try:
        app.extensions["motcua"] = Runtime(
            settings=Settings(data_dir=tmp_path, database_url=url, secret_key="t"), db=db
        )
        write_turns.init_app(app, worker_class)
        assert (write_turns.EXTENSION in app.extensions) is taken
    finally:
        db.dispose()
