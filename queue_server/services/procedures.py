"""The procedure catalogue in the database: import (upsert by code) and search.

Search is accent-insensitive (DESIGN.md, Text): the stored ``search_key`` holds
the folded name, code and field, and every folded word of the query must occur
in it, so ``dang ky khai sinh`` finds ``Đăng ký khai sinh``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from device_kit.contract.events import EventKind
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.procedures import Procedure, parse_catalogue
from queue_server.text import fold

MAX_RESULTS = 50


def import_procedures(uow: UnitOfWork, site_id: int, catalogue: Iterable[Procedure]) -> int:
    procedures = list(catalogue)
    uow.procedures.upsert(site_id, procedures)
    return len(procedures)


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


def _view(procedure: Procedure, full: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field,
        "level": procedure.level,
        "agency": procedure.agency,
        "time_limit": procedure.time_limit,
        "online_url": procedure.online_url,
    }
    if full:
        view |= {
            "fees": procedure.fees,
            "documents": list(procedure.documents),
            "working_hours": procedure.working_hours,
        }
    return view


def search_procedures(
    uow: UnitOfWork, site_id: int, query: str = "", field: str = "", limit: int = 20
) -> list[dict[str, Any]]:
    """Procedures whose name, code or field hold every word of ``query``."""
    found = uow.procedures.search(site_id, fold(query).split())
    if field:
        found = [p for p in found if fold(field) in fold(p.field)]
    return [_view(p, full=False) for p in found[: min(limit, MAX_RESULTS)]]


def procedure_detail(uow: UnitOfWork, site_id: int, code: str) -> dict[str, Any] | None:
    found = uow.procedures.find(site_id, code)
    return None if found is None else _view(found, full=True)
