"""Mirror seeding shared by the dossier, connector and SMS tests."""

from __future__ import annotations

from typing import Any

from queue_server.mock_upstream import demo_dossiers
from queue_server.runtime import Runtime
from queue_server.services.dossier_feeds import mirror_rows


def site_id(runtime: Runtime) -> int:
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        return site.id


def seed_mirror(runtime: Runtime, count: int = 30, source: str = "pull") -> list[dict[str, Any]]:
    """Mirror ``count`` mock-upstream rows (all statuses); return the upstream rows."""
    rows = demo_dossiers(count, runtime.clock())
    with runtime.uow() as uow:
        mirror_rows(uow, site_id(runtime), enumerate(rows, start=2), source, runtime.clock())
        uow.commit()
    return rows


def mirror_codes(runtime: Runtime, *codes: str) -> None:
    """Mirror one mock-upstream dossier under each of ``codes``."""
    rows = demo_dossiers(len(codes), runtime.clock())
    for row, code in zip(rows, codes, strict=True):
        row["MaHoSo"] = code
    with runtime.uow() as uow:
        mirror_rows(uow, site_id(runtime), enumerate(rows, start=2), "pull", runtime.clock())
        uow.commit()
