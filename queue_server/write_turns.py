"""The busiest writes served one at a time, first come first served (SQLite, gevent).

Under gevent, the connections whose requests arrived by one poll of the event loop
are served as one batch before the loop looks for more. On SQLite a request runs
whole without yielding (the driver blocks), so a request that arrives just after a
poll waits for the whole next batch as well: with 50 counters calling back to back,
one call in every round of 50 waited two rounds (p99 158 ms against a p50 of 82 ms).
Here ticket issue and the counters' actions (``endpoint(..., in_turn=True)``) queue
for one server greenlet that runs them in the order they arrived and lets the loop
poll every 2 ms, so each waits for those that came before it and no longer: p99
90 ms against a p50 of 81 ms, at 614 calls/s where there were 601-607
(``tests/bench/bench_queue.py``, 6 December; ``docs/scaling.md``).

Only the production server turns it on (:func:`init_app`), in gevent workers on
SQLite. On PostgreSQL a request waiting for the database lets the others run: one
greenlet would make them queue for every round trip.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from typing import TypeVar, cast

import gevent
from flask import Flask, current_app
from gevent.event import AsyncResult
from gevent.queue import SimpleQueue

T = TypeVar("T")

EXTENSION = "motcua.write_turns"

#: How long the server greenlet runs requests one after another before it lets the
#: loop poll for new ones: a request that arrives meanwhile waits this much at most
#: to take its place in line. A poll after every request (a timer each time) served
#: 583-591 calls/s back to back; every 2 ms, 627-667/s (alternating runs).
_POLL_EVERY_S = 0.002
#: The pause itself is a timer, so the loop polls first. ``gevent.sleep(0)`` would
#: not: the loop runs such wake-ups fifty at a time between polls. Nor
#: ``gevent.idle()``, which waits for a moment with nothing else to do, which a busy
#: hall never has.
_PAUSE_S = 1e-6


class WriteTurns:
    """One greenlet runs the work handed to :meth:`run`, in the order it was handed."""

    def __init__(self) -> None:
        self._queue: SimpleQueue[tuple[contextvars.Context, Callable[[], object], AsyncResult]]
        self._queue = SimpleQueue()
        self._server: gevent.Greenlet[[], None] | None = None

    def run(self, work: Callable[[], T]) -> T:
        """Wait for this request's turn, run ``work`` then (in the caller's context: the
        Flask request and app contexts), and give back its result or raise its error."""
        if self._server is None or self._server.dead:
            # Started by the first request, in the worker (after gunicorn forked it).
            self._server = gevent.spawn(self._serve)
        done: AsyncResult = AsyncResult()
        self._queue.put((contextvars.copy_context(), work, done))
        return cast(T, done.get())

    def _serve(self) -> None:
        polled = time.monotonic()
        while True:
            context, work, done = self._queue.get()
            try:
                done.set(context.run(work))
            except Exception as error:
                done.set_exception(error)
            except BaseException as error:  # this greenlet is stopped: another serves the line
                done.set_exception(error)
                self._server = gevent.spawn(self._serve)
                raise
            if time.monotonic() - polled >= _POLL_EVERY_S:
                gevent.sleep(_PAUSE_S)
                polled = time.monotonic()


def init_app(app: Flask, worker_class: str) -> None:
    """Serve ``in_turn`` endpoints of ``app`` through one :class:`WriteTurns` where that
    helps: in a gevent worker on SQLite (this module says why)."""
    if worker_class == "gevent" and app.extensions["motcua"].db.is_sqlite:
        app.extensions[EXTENSION] = WriteTurns()


def in_turn(work: Callable[[], T]) -> T:
    """``work()`` in its turn where the app takes turns (:func:`init_app`), else now."""
    turns: WriteTurns | None = current_app.extensions.get(EXTENSION)
    return work() if turns is None else turns.run(work)
