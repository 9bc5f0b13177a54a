"""The audit log: who did what, when — read, filtered and exported, never edited.

It is a view over two append-only tables rather than a third copy:

- ``events`` already holds, in the same transaction as the change itself, every
  queue state change, officer action (``ticket.*``, ``counter.*``), configuration
  change (``config.*``) and account, role, token and device change
  (``accounts.*``), each with its actor. Copying them into an audit table would
  let the two disagree after a crash between the writes.
- ``auth_attempts`` holds sign-ins: successful, failed and refused while locked.
  They are kept out of ``events`` so that a brute-force run cannot flood the
  replay log that boards and counters resume from, and so lockout can count
  them by account and address through indexes.

No code path updates or deletes rows of either table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from drivers.logging_setup import redact
from queue_server.adapters.tables import auth_attempts, events
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.spreadsheet import csv_cell

OUTCOMES = ("ok", "failed", "locked", "unlocked")
MAX_ROWS = 100_000
CSV_COLUMNS = ("at", "kind", "actor", "address", "ticket_id", "counter_id", "detail")


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    #: A kind or the start of one: ``auth.`` for sign-ins, ``counter.`` for desks.
    kind: str = ""
    #: Part of the actor label (``user:lan``, ``device:kiosk-1``), any case.
    actor: str = ""
    limit: int = 500


def audit_entries(uow: UnitOfWork, site_id: int, wanted: AuditFilter) -> list[dict[str, Any]]:
    """The newest matching entries, newest first, at most ``wanted.limit``."""
    limit = min(max(wanted.limit, 1), MAX_ROWS)
    rows = [_from_event(row) for row in uow.session.execute(_events_query(site_id, wanted, limit))]
    attempts = _attempts_query(site_id, wanted, limit)
    if attempts is not None:
        rows += [_from_attempt(row) for row in uow.session.execute(attempts)]
    rows.sort(key=lambda entry: entry["at"], reverse=True)
    return rows[:limit]


def to_csv(entries: Iterable[dict[str, Any]]) -> str:
    """CSV with a BOM, so Excel opens the Vietnamese text as UTF-8; entries are masked
    as in the view (:func:`audit_entries`), and no cell is read as a formula."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for entry in entries:
        row = {
            **entry,
            "at": entry["at"].isoformat(),
            "detail": json.dumps(entry["detail"], ensure_ascii=False, sort_keys=True),
        }
        writer.writerow({column: csv_cell(value) for column, value in row.items()})
    return out.getvalue()


def _events_query(site_id: int, wanted: AuditFilter, limit: int) -> Select[Any]:
    query = select(events).where(events.c.site_id == site_id)
    if wanted.since:
        query = query.where(events.c.at >= wanted.since)
    if wanted.until:
        query = query.where(events.c.at < wanted.until)
    if wanted.kind:
        query = query.where(events.c.kind.startswith(wanted.kind, autoescape=True))
    if wanted.actor:
        query = query.where(events.c.actor.icontains(wanted.actor, autoescape=True))
    return query.order_by(events.c.at.desc(), events.c.id.desc()).limit(limit)


def _attempts_query(site_id: int, wanted: AuditFilter, limit: int) -> Select[Any] | None:
    outcomes = [o for o in OUTCOMES if f"auth.{o}".startswith(wanted.kind)]
    if not outcomes:
        return None
    query = select(auth_attempts).where(
        auth_attempts.c.site_id == site_id, auth_attempts.c.outcome.in_(outcomes)
    )
    if wanted.since:
        query = query.where(auth_attempts.c.at >= wanted.since)
    if wanted.until:
        query = query.where(auth_attempts.c.at < wanted.until)
    if wanted.actor:
        name = wanted.actor.removeprefix("user:")
        query = query.where(auth_attempts.c.username.icontains(name, autoescape=True))
    return query.order_by(auth_attempts.c.at.desc(), auth_attempts.c.id.desc()).limit(limit)


def _from_event(row: Any) -> dict[str, Any]:
    return {
        "at": row.at,
        "kind": row.kind,
        "actor": redact(row.actor),
        "address": "",
        "ticket_id": row.ticket_id,
        "counter_id": row.counter_id,
        "detail": _masked(row.payload or {}),
    }


def _from_attempt(row: Any) -> dict[str, Any]:
    return {
        "at": row.at,
        "kind": f"auth.{row.outcome}",
        "actor": f"user:{redact(row.username)}",
        "address": row.address,
        "ticket_id": None,
        "counter_id": None,
        "detail": {},
    }


def _masked(value: Any) -> Any:
    """Citizen ID numbers and secrets never leave through the audit log."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value
