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

The requests in line share one SQLite transaction (``SharedTransaction``) for up
to 20 ms, the loop polling meanwhile: each in a savepoint of its own, none answered
before the whole is committed. A ticket changes ten-odd pages, and SQLite writes
each page a transaction changed once at its commit; requests committed together
share most of theirs. Alternating runs on 6 December, a slower box than the figures
above (``tests/bench/bench_issue.py``): ticket issue at 8 kiosks 545-610 tickets/s
each committed alone, 531-658 shared (three runs of four 639-658); call-next at 50
counters back to back 177-297 calls/s with a transaction ended at each poll,
284-308/s sharing it up to 20 ms (``_BATCH_S``).

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

from queue_server.adapters.database import Database
from queue_server.adapters.unit_of_work import SharedTransaction

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
#: How long the requests in line share one transaction at most; the loop still polls
#: every ``_POLL_EVERY_S`` meanwhile. Call-next, 50 counters back to back, alternating
#: runs: 177-297 calls/s with a transaction cut at each poll (2 ms), 284-308/s at
#: 20 ms, 267-357/s at 50 ms; ticket issue 611/s at 2 ms, 639/s at 20 ms.
_BATCH_S = 0.020


Job = tuple[contextvars.Context, Callable[[], object], AsyncResult]


class WriteTurns:
    """One greenlet runs the work handed to :meth:`run`, in the order it was handed.

    The work in line is done in one transaction (:class:`SharedTransaction`) for at
    most ``batch_s``, and none of it is answered before that transaction commits.
    """

    def __init__(
        self, db: Database, poll_every_s: float = _POLL_EVERY_S, batch_s: float = _BATCH_S
    ) -> None:
        self._db = db
        self._poll_every_s = poll_every_s
        self._batch_s = batch_s
        self._polled = time.monotonic()
        self._queue: SimpleQueue[Job] = SimpleQueue()
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
        self._polled = time.monotonic()
        while True:
            if self._queue.empty():  # the loop polls while this greenlet waits
                first = self._queue.get()
                self._polled = time.monotonic()
            else:
                first = self._queue.get_nowait()
            try:
                self._serve_from(first)
            except BaseException:  # this greenlet is stopped: another serves the line
                self._server = gevent.spawn(self._serve)
                raise
            self._poll_if_due()

    def _poll_if_due(self) -> None:
        if time.monotonic() - self._polled >= self._poll_every_s:
            gevent.sleep(_PAUSE_S)
            self._polled = time.monotonic()

    def _serve_from(self, job: Job) -> None:
        """Serve ``job`` and those in line behind it, for ``batch_s`` at most, in one
        transaction; answer each once that is committed."""
        began = time.monotonic()
        done_well: list[tuple[AsyncResult, object]] = []
        try:
            with SharedTransaction(self._db) as shared:
                while True:
                    context, work, done = job
                    try:
                        done_well.append((done, context.run(shared.joined, work)))
                    except Exception as error:  # its own savepoint is rolled back
                        done.set_exception(error)
                        if shared.lost:
                            raise
                    if time.monotonic() - began >= self._batch_s:
                        break
                    self._poll_if_due()
                    if self._queue.empty():
                        break
                    job = self._queue.get_nowait()
                shared.commit()
        except BaseException as error:
            # Nothing of it was written: each caller hears so (a kiosk asks again).
            for done, _ in done_well:
                done.set_exception(error)
            if not job[2].ready():
                job[2].set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for done, result in done_well:
            done.set(result)


def init_app(app: Flask, worker_class: str) -> None:
    """Serve ``in_turn`` endpoints of ``app`` through one :class:`WriteTurns` where that
    helps: in a gevent worker on SQLite (this module says why)."""
    if worker_class == "gevent" and app.extensions["motcua"].db.is_sqlite:
        app.extensions[EXTENSION] = WriteTurns(app.extensions["motcua"].db)


def in_turn(work: Callable[[], T]) -> T:
    """``work()`` in its turn where the app takes turns (:func:`init_app`), else now."""
    turns: WriteTurns | None = current_app.extensions.get(EXTENSION)
    return work() if turns is None else turns.run(work)
