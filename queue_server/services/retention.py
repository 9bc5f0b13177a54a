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

from sqlalchemy import delete

from queue_server.adapters.tables import auth_attempts, pairing_codes
from queue_server.runtime import Runtime

log = logging.getLogger(__name__)

ATTEMPTS_KEPT = timedelta(days=90)
EXPIRED_CODES_KEPT = timedelta(days=1)
EVERY = timedelta(days=1)


def prune(runtime: Runtime, now: datetime) -> dict[str, int]:
    """Delete what is past its keeping time; how many rows of each table went."""
    with runtime.uow() as uow:
        attempts = uow.session.execute(
            delete(auth_attempts).where(auth_attempts.c.at < now - ATTEMPTS_KEPT)
        )
        codes = uow.session.execute(
            delete(pairing_codes).where(pairing_codes.c.expires_at < now - EXPIRED_CODES_KEPT)
        )
        uow.commit()
    return {
        "auth_attempts": attempts.rowcount,  # type: ignore[attr-defined]
        "pairing_codes": codes.rowcount,  # type: ignore[attr-defined]
    }


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
