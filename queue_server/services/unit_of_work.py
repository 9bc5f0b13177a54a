"""Use cases own their transactions: open a unit of work, do the work, commit.

Views and commands call a use case and never commit. The one helper here is where
a transaction starts and ends, and where lock contention the engine reports as
transient (SQLite busy, PostgreSQL serialization failure or deadlock) is retried
with a short, bounded back-off: the work rolled back whole, so running it again
is safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from queue_server.adapters.database import is_retryable
from queue_server.adapters.unit_of_work import UnitOfWork

T = TypeVar("T")

#: Tries per use case, and the back-off before the second try (doubling after it).
ATTEMPTS = 5
FIRST_BACKOFF_S = 0.02


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work: ``Runtime.uow`` on a database, a fake in use-case tests."""

    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...


def run(uows: UnitOfWorkFactory, work: Callable[[UnitOfWork], T], *, readonly: bool = False) -> T:
    """Run ``work`` in a new unit of work and commit it (a read-only one is not).

    An exception rolls the work back; a transient one runs it again, up to
    ``ATTEMPTS`` times, then reaches the caller like any other.
    """
    for attempt in range(ATTEMPTS):
        try:
            with uows(readonly=readonly) as uow:
                result = work(uow)
                if not readonly:
                    uow.commit()
                return result
        except Exception as exc:
            if attempt == ATTEMPTS - 1 or not is_retryable(exc):
                raise
        time.sleep(FIRST_BACKOFF_S * 2**attempt)
    raise AssertionError("unreachable")
