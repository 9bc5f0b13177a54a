"""The local mirror of upstream dossiers: upserts and the state of each feed.

Every connector ends here. Rows are upserted by ``(site, code)`` in bulk; a row
older than the one held (by the upstream's own update time) never overwrites
it, so pushes arriving out of order and a pull racing a push agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, or_, select
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from device_kit.contract.dossier_codes import DossierCode
from queue_server.adapters.tables import dossier_sync, dossiers
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.record import DossierRecord, Step
from queue_server.dossiers.status import DossierStatus

ERROR_MAX = 500


def dialect_insert(uow: UnitOfWork, table: Table) -> PgInsert | SqliteInsert:
    """An INSERT that can say ON CONFLICT in the engine's own words."""
    dialect = uow.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def _row(site_id: int, record: DossierRecord, source: str, now: datetime) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "code": str(record.code),
        "status": int(record.status),
        "upstream_status": record.upstream_status,
        "procedure_code": record.procedure_code,
        "procedure_name": record.procedure_name,
        "agency": record.agency,
        "applicant_name": record.applicant_name,
        "received_at": record.received_at,
        "due_at": record.due_at,
        "finished_at": record.finished_at,
        "collect_at": record.collect_at,
        "steps": json.dumps(
            [
                {"name": s.name, "unit": s.unit, "at": s.at.isoformat() if s.at else None}
                for s in record.steps
            ],
            ensure_ascii=False,
        ),
        "source": source,
        "upstream_updated_at": record.updated_at,
        "synced_at": now,
    }


def upsert_dossiers(
    uow: UnitOfWork, site_id: int, records: Iterable[DossierRecord], source: str, now: datetime
) -> int:
    """Insert or update ``records`` (the last one wins for a repeated code); return the count."""
    rows = list({str(r.code): _row(site_id, r, source, now) for r in records}.values())
    if not rows:
        return 0
    stmt = dialect_insert(uow, dossiers)
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[dossiers.c.site_id, dossiers.c.code],
        set_={name: excluded[name] for name in rows[0] if name not in ("site_id", "code")},
        where=or_(
            dossiers.c.upstream_updated_at.is_(None),
            excluded.upstream_updated_at.is_(None),
            excluded.upstream_updated_at >= dossiers.c.upstream_updated_at,
        ),
    )
    uow.session.execute(stmt, rows)
    return len(rows)


def record_from_row(row: Any) -> DossierRecord:
    return DossierRecord(
        code=DossierCode.parse(row.code),
        status=DossierStatus(row.status),
        received_at=row.received_at,
        procedure_code=row.procedure_code,
        procedure_name=row.procedure_name,
        agency=row.agency,
        applicant_name=row.applicant_name,
        due_at=row.due_at,
        finished_at=row.finished_at,
        collect_at=row.collect_at,
        steps=tuple(
            Step(s["name"], datetime.fromisoformat(s["at"]) if s["at"] else None, s["unit"])
            for s in json.loads(row.steps)
        ),
        upstream_status=row.upstream_status,
        updated_at=row.upstream_updated_at,
    )


@dataclass(frozen=True)
class MirroredDossier:
    record: DossierRecord
    synced_at: datetime


def find_dossier(uow: UnitOfWork, site_id: int, code: DossierCode) -> MirroredDossier | None:
    row = uow.session.execute(
        select(dossiers).where(dossiers.c.site_id == site_id, dossiers.c.code == str(code))
    ).first()
    return None if row is None else MirroredDossier(record_from_row(row), row.synced_at)


@dataclass(frozen=True)
class FeedState:
    source: str
    cursor: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str
    rows_total: int


def feed_state(uow: UnitOfWork, site_id: int, source: str) -> FeedState:
    row = uow.session.execute(
        select(dossier_sync).where(
            dossier_sync.c.site_id == site_id, dossier_sync.c.source == source
        )
    ).first()
    if row is None:
        return FeedState(source, "", None, None, "", 0)
    return FeedState(
        source,
        row.cursor,
        row.last_attempt_at,
        row.last_success_at,
        row.last_error,
        row.rows_total,
    )


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
    state = feed_state(uow, site_id, source)
    values: dict[str, Any] = {"last_attempt_at": now}
    if error is None:
        values |= {"last_success_at": now, "last_error": "", "rows_total": state.rows_total + rows}
        if cursor is not None:
            values["cursor"] = cursor
    else:
        values["last_error"] = error[:ERROR_MAX]
    defaults = {"cursor": "", "rows_total": 0, "last_error": ""}
    stmt = dialect_insert(uow, dossier_sync).values(
        site_id=site_id, source=source, **(defaults | values)
    )
    uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[dossier_sync.c.site_id, dossier_sync.c.source], set_=values
        )
    )


def last_success(uow: UnitOfWork, site_id: int) -> datetime | None:
    """When any feed last brought the mirror up to date."""
    return uow.session.execute(
        select(func.max(dossier_sync.c.last_success_at)).where(dossier_sync.c.site_id == site_id)
    ).scalar_one_or_none()
