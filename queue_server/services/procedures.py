"""The procedure catalogue in the database: import (upsert by code) and search.

Search is accent-insensitive (DESIGN.md, Text): the stored ``search_key`` holds
the folded name, code and field, and every folded word of the query must occur
in it, so ``dang ky khai sinh`` finds ``Đăng ký khai sinh``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from device_kit.contract.events import EventKind
from queue_server.adapters.tables import procedures
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.procedures import Procedure, parse_catalogue
from queue_server.services.dossier_mirror import dialect_insert
from queue_server.text import fold

MAX_RESULTS = 50


def import_procedures(uow: UnitOfWork, site_id: int, catalogue: Iterable[Procedure]) -> int:
    rows = [
        {
            "site_id": site_id,
            "code": p.code,
            "name": p.name,
            "search_key": p.search_key[:1200],
            "field": p.field,
            "level": p.level,
            "agency": p.agency,
            "time_limit": p.time_limit,
            "working_hours": p.working_hours,
            "fees": p.fees,
            "documents": json.dumps(list(p.documents), ensure_ascii=False),
            "online_url": p.online_url,
        }
        for p in catalogue
    ]
    if not rows:
        return 0
    stmt = dialect_insert(uow, procedures)
    stmt = stmt.on_conflict_do_update(
        index_elements=[procedures.c.site_id, procedures.c.code],
        set_={name: stmt.excluded[name] for name in rows[0] if name not in ("site_id", "code")},
    )
    uow.session.execute(stmt, rows)
    return len(rows)


def import_catalogue_file(
    uow: UnitOfWork, site_id: int, data: bytes, kind: str, actor: str, now: datetime
) -> int:
    """A JSON or XLSX catalogue, all procedures or none; returns how many were saved."""
    count = import_procedures(uow, site_id, parse_catalogue(data, kind))
    uow.record(
        site_id=site_id,
        kind=EventKind.PROCEDURES_IMPORTED,
        actor=actor,
        at=now,
        payload={"count": count},
    )
    return count


def _view(row: Any, full: bool) -> dict[str, Any]:
    view = {
        "code": row.code,
        "name": row.name,
        "field": row.field,
        "level": row.level,
        "agency": row.agency,
        "time_limit": row.time_limit,
        "online_url": row.online_url,
    }
    if full:
        view |= {
            "fees": row.fees,
            "documents": json.loads(row.documents),
            "working_hours": row.working_hours,
        }
    return view


def search_procedures(
    uow: UnitOfWork, site_id: int, query: str = "", field: str = "", limit: int = 20
) -> list[dict[str, Any]]:
    """Procedures whose name, code or field hold every word of ``query``."""
    stmt = select(procedures).where(procedures.c.site_id == site_id)
    for word in fold(query).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(procedures.c.search_key.like(f"%{escaped}%", escape="\\"))
    rows = uow.session.execute(stmt.order_by(procedures.c.name, procedures.c.code)).all()
    if field:
        rows = [r for r in rows if fold(field) in fold(r.field)]
    return [_view(r, full=False) for r in rows[: min(limit, MAX_RESULTS)]]


def procedure_detail(uow: UnitOfWork, site_id: int, code: str) -> dict[str, Any] | None:
    row = uow.session.execute(
        select(procedures).where(procedures.c.site_id == site_id, procedures.c.code == code)
    ).first()
    return None if row is None else _view(row, full=True)
