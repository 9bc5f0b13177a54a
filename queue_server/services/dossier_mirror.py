"""The local mirror of upstream dossiers: upserts and the state of each feed.

Every connector ends here. Rows are upserted by ``(site, code)`` in bulk; a row
older than the one held (by the upstream's own update time) never overwrites
it (``DossierRepository.upsert``), so pushes arriving out of order and a pull
racing a push agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from queue_server.adapters.dossier_repository import FeedChanges
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.record import DossierRecord

ERROR_MAX = 500


def upsert_dossiers(
    uow: UnitOfWork, site_id: int, records: Iterable[DossierRecord], source: str, now: datetime
) -> int:
    """Insert or update ``records`` (the last one wins for a repeated code); return the count."""
    unique = list({str(r.code): r for r in records}.values())
    uow.dossiers.upsert(site_id, unique, source, now)
    return len(unique)


def record_feed(
    uow: UnitOfWork,
    site_id: int,
    source: str,
    now: datetime,
    *,
    rows: int = 0,
    cursor: str | None = None,
    error: str | None = None,
) -> None:
    """Note one attempt of a feed: its success (rows, new cursor) or its error."""
    changes: FeedChanges = {"last_attempt_at": now}
    if error is None:
        total = uow.dossiers.feed_state(site_id, source).rows_total + rows
        changes |= {"last_success_at": now, "last_error": "", "rows_total": total}
        if cursor is not None:
            changes["cursor"] = cursor
    else:
        changes["last_error"] = error[:ERROR_MAX]
    uow.dossiers.save_feed(site_id, source, changes)
