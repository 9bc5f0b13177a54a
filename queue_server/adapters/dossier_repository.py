"""The dossier mirror in the database: the mirrored rows, the state of each feed,
the signed pushes already seen and the site's stored ``[dossiers]`` section.

Rows are upserted by ``(site, code)`` in one statement for a whole batch (an
import of thousands of rows is one round trip); a row older than the one held
(by the upstream's own update time) never overwrites it, so pushes arriving out
of order and a pull racing a push agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypedDict

from sqlalchemy import Row, delete, func, or_, select
from sqlalchemy.orm import Session

from device_kit.contract.dossier_codes import DossierCode
from queue_server.adapters.database import dialect_insert
from queue_server.adapters.tables import (
    dossier_settings,
    dossier_sync,
    dossiers,
    webhook_deliveries,
)
from queue_server.dossiers.record import DossierRecord, Step
from queue_server.dossiers.status import DossierStatus


@dataclass(frozen=True)
class MirroredDossier:
    record: DossierRecord
    synced_at: datetime


@dataclass(frozen=True)
class FeedState:
    source: str
    cursor: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str
    rows_total: int


class FeedChanges(TypedDict, total=False):
    """The columns one attempt of a feed sets; those left out keep their value."""

    cursor: str
    last_attempt_at: datetime
    last_success_at: datetime
    last_error: str
    rows_total: int


class DossierStore(Protocol):
    """What the dossier use cases ask of storage (``DossierRepository``, or a fake)."""

    def upsert(
        self, site_id: int, records: Sequence[DossierRecord], source: str, now: datetime
    ) -> None: ...

    def find(self, site_id: int, code: DossierCode) -> MirroredDossier | None: ...

    def of_applicant(self, site_id: int, id_hash: str, limit: int) -> list[MirroredDossier]: ...

    def feed_state(self, site_id: int, source: str) -> FeedState: ...

    def save_feed(self, site_id: int, source: str, changes: FeedChanges) -> None: ...

    def last_success(self, site_id: int) -> datetime | None: ...

    def forget_deliveries(self, before: datetime) -> None: ...

    def note_delivery(self, site_id: int, digest: str, now: datetime) -> bool: ...

    def settings(self, site_id: int) -> Mapping[str, object] | None: ...

    def save_settings(self, site_id: int, config: Mapping[str, object], now: datetime) -> None: ...


class DossierRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # the mirror ----------------------------------------------------------------
    def upsert(
        self, site_id: int, records: Sequence[DossierRecord], source: str, now: datetime
    ) -> None:
        """Insert or update ``records`` (codes unique), all in one statement."""
        if not records:
            return
        rows = [_row(site_id, record, source, now) for record in records]
        statement = dialect_insert(self.session, dossiers)
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[dossiers.c.site_id, dossiers.c.code],
            set_={name: excluded[name] for name in rows[0] if name not in ("site_id", "code")},
            where=or_(
                dossiers.c.upstream_updated_at.is_(None),
                excluded.upstream_updated_at.is_(None),
                excluded.upstream_updated_at >= dossiers.c.upstream_updated_at,
            ),
        )
        self.session.execute(statement, rows)

    def find(self, site_id: int, code: DossierCode) -> MirroredDossier | None:
        query = select(dossiers).where(dossiers.c.site_id == site_id, dossiers.c.code == str(code))
        row = self.session.execute(query).first()
        return None if row is None else MirroredDossier(_record(row), row.synced_at)

    def of_applicant(self, site_id: int, id_hash: str, limit: int) -> list[MirroredDossier]:
        """The dossiers whose applicant ID hashes to ``id_hash``, newest received first."""
        c = dossiers.c
        query = (
            select(dossiers)
            .where(c.site_id == site_id, c.applicant_id_hash == id_hash)
            .order_by(c.received_at.desc(), c.code)
            .limit(limit)
        )
        return [MirroredDossier(_record(row), row.synced_at) for row in self.session.execute(query)]

    # feeds ---------------------------------------------------------------------
    def feed_state(self, site_id: int, source: str) -> FeedState:
        s = dossier_sync.c
        query = select(dossier_sync).where(s.site_id == site_id, s.source == source)
        row = self.session.execute(query).first()
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

    def save_feed(self, site_id: int, source: str, changes: FeedChanges) -> None:
        """Set ``changes`` on the feed's row, created with defaults on its first attempt."""
        defaults: FeedChanges = {"cursor": "", "rows_total": 0, "last_error": ""}
        statement = dialect_insert(self.session, dossier_sync).values(
            site_id=site_id, source=source, **(defaults | changes)
        )
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[dossier_sync.c.site_id, dossier_sync.c.source], set_=dict(changes)
            )
        )

    def last_success(self, site_id: int) -> datetime | None:
        """When any feed last brought the mirror up to date."""
        query = select(func.max(dossier_sync.c.last_success_at)).where(
            dossier_sync.c.site_id == site_id
        )
        return self.session.execute(query).scalar_one_or_none()

    # signed pushes -----------------------------------------------------------------
    def forget_deliveries(self, before: datetime) -> None:
        """Drop the digests of pushes too old to be replayed (their timestamps are refused)."""
        table = webhook_deliveries
        self.session.execute(delete(table).where(table.c.received_at < before))

    def note_delivery(self, site_id: int, digest: str, now: datetime) -> bool:
        """Remember a push; False when it was seen before. One statement, so two
        deliveries of the same push racing each other cannot both be new."""
        table = webhook_deliveries
        statement = (
            dialect_insert(self.session, table)
            .values(digest=digest, site_id=site_id, received_at=now)
            .on_conflict_do_nothing(index_elements=[table.c.digest])
            .returning(table.c.digest)
        )
        return self.session.execute(statement).first() is not None

    # settings ------------------------------------------------------------------
    def settings(self, site_id: int) -> Mapping[str, object] | None:
        """The stored ``[dossiers]`` section as JSON, or None when the site file had none."""
        query = select(dossier_settings.c.config).where(dossier_settings.c.site_id == site_id)
        config: Mapping[str, object] | None = self.session.execute(query).scalar_one_or_none()
        return config

    def save_settings(self, site_id: int, config: Mapping[str, object], now: datetime) -> None:
        table = dossier_settings
        exists = self.session.execute(
            select(table.c.site_id).where(table.c.site_id == site_id)
        ).first()
        if exists:
            self.session.execute(
                table.update()
                .where(table.c.site_id == site_id)
                .values(config=config, updated_at=now)
            )
        else:
            self.session.execute(
                table.insert().values(site_id=site_id, config=config, updated_at=now)
            )


def _row(site_id: int, record: DossierRecord, source: str, now: datetime) -> dict[str, object]:
    return {
        "site_id": site_id,
        "code": str(record.code),
        "status": int(record.status),
        "upstream_status": record.upstream_status,
        "procedure_code": record.procedure_code,
        "procedure_name": record.procedure_name,
        "agency": record.agency,
        "applicant_name": record.applicant_name,
        "applicant_id_hash": record.applicant_id_hash or None,
        "received_at": record.received_at,
        "due_at": record.due_at,
        "finished_at": record.finished_at,
        "collect_at": record.collect_at,
        "steps": [
            {"name": s.name, "unit": s.unit, "at": s.at.isoformat() if s.at else None}
            for s in record.steps
        ],
        "source": source,
        "upstream_updated_at": record.updated_at,
        "synced_at": now,
    }


def _record(row: Row[*tuple[object, ...]]) -> DossierRecord:
    return DossierRecord(
        code=DossierCode.parse(row.code),
        status=DossierStatus(row.status),
        received_at=row.received_at,
        procedure_code=row.procedure_code,
        procedure_name=row.procedure_name,
        agency=row.agency,
        applicant_name=row.applicant_name,
        applicant_id_hash=row.applicant_id_hash or "",
        due_at=row.due_at,
        finished_at=row.finished_at,
        collect_at=row.collect_at,
        steps=tuple(
            Step(s["name"], datetime.fromisoformat(s["at"]) if s["at"] else None, s["unit"])
            for s in row.steps
        ),
        upstream_status=row.upstream_status,
        updated_at=row.upstream_updated_at,
    )
