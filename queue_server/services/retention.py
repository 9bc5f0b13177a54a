"""Anonymous per-attempt rows are kept only while they serve a purpose.

Sign-in attempts feed the lockout (minutes) and the audit (weeks), so 90 days is
plenty; a pairing code is dead once it expired, kept a day for the technician who
asks why a device did not pair. Without this both tables grow forever: every
guess at a password and every code a device asks for is a row. (Webhook replay
digests are already pruned on each push, ``services.dossier_feeds``.)

The server runs :func:`keep_pruning` in each worker: once at start, then daily.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.runtime import Runtime
from queue_server.services.unit_of_work import run

log = logging.getLogger(__name__)

ATTEMPTS_KEPT = timedelta(days=90)
EXPIRED_CODES_KEPT = timedelta(days=1)
EVERY = timedelta(days=1)


def prune(runtime: Runtime, now: datetime) -> dict[str, int]:
    """Delete what is past its keeping time; how many rows of each table went."""

    def forget(uow: UnitOfWork) -> dict[str, int]:
        return {
            "auth_attempts": uow.accounts.forget_attempts_before(now - ATTEMPTS_KEPT),
            "pairing_codes": uow.fleet.forget_codes_expired_before(now - EXPIRED_CODES_KEPT),
        }

    return run(runtime.uow, forget)


def keep_pruning(runtime: Runtime, stop: threading.Event) -> None:
    """Prune now and then once a day until ``stop`` is set; a failed run (the database
    away) is logged and tried again the next day."""
    while True:
        try:
            deleted = prune(runtime, runtime.clock())
            log.info("retention: deleted %s", deleted)
        except Exception:
            log.exception("retention: pruning failed; trying again in a day")
        if stop.wait(EVERY.total_seconds()):
            return
