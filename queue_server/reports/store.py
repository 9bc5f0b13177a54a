"""Generated report files: written under the data dir, listed in ``report_files``, and
the scheduled run that produces the regulation reports when they fall due."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select

from queue_server.adapters.tables import report_files
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import NotFound
from queue_server.reports.build import ReportFormat, ReportRequest, build_report, render
from queue_server.reports.periods import ReportPeriod, due_reports
from queue_server.runtime import Runtime
from queue_server.services.unit_of_work import run
from queue_server.services.working_calendar import site_calendar

log = logging.getLogger(__name__)
REPORT_DIR = "reports"
#: How far back a scheduled run looks for reports it missed (server down on the day).
CATCH_UP_DAYS = 31


@dataclass(frozen=True)
class StoredReport:
    id: int
    kind: str
    period_start: str
    period_end: str
    format: str
    size: int
    created_at: datetime
    created_by: str
    path: str

    @property
    def filename(self) -> str:
        return Path(self.path).name

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "from": self.period_start,
            "to": self.period_end,
            "format": self.format,
            "size": self.size,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "filename": self.filename,
        }


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def store_report(
    runtime: Runtime,
    site_id: int,
    wanted: ReportRequest,
    fmt: ReportFormat,
    by: str,
) -> StoredReport:
    """Generate ``wanted`` as ``fmt`` and keep it, replacing an earlier file of the same period."""
    now = runtime.clock()
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site_by_id(site_id)
        report = build_report(uow, site, wanted, now)
        folder = Path(REPORT_DIR) / site.code
    data = render(report, fmt)
    relative = folder / f"bao-cao-{wanted.period.slug}.{fmt.value}"
    _write_atomically(runtime.settings.data_dir / relative, data)
    key: dict[str, Any] = {
        "site_id": site_id,
        "kind": wanted.period.kind.value,
        "period_start": wanted.period.start.isoformat(),
        "period_end": wanted.period.end.isoformat(),
        "format": fmt.value,
    }

    def save(uow: UnitOfWork) -> int:
        uow.session.execute(
            delete(report_files).where(*(report_files.c[k] == v for k, v in key.items()))
        )
        row_id = uow.session.execute(  # type: ignore[attr-defined]
            insert(report_files).values(
                **key, path=str(relative), size=len(data), created_at=now, created_by=by
            )
        ).inserted_primary_key[0]
        return int(row_id)

    return StoredReport(
        run(runtime.uow, save),
        key["kind"],
        key["period_start"],
        key["period_end"],
        fmt.value,
        len(data),
        now,
        by,
        str(relative),
    )


def stored_reports(runtime: Runtime, site_id: int) -> list[StoredReport]:
    with runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(
            select(report_files)
            .where(report_files.c.site_id == site_id)
            .order_by(report_files.c.period_end.desc(), report_files.c.kind, report_files.c.format)
        )
        return [
            StoredReport(
                r.id,
                r.kind,
                r.period_start,
                r.period_end,
                r.format,
                r.size,
                r.created_at,
                r.created_by,
                r.path,
            )
            for r in rows
        ]


def stored_report(runtime: Runtime, site_id: int, report_id: int) -> tuple[StoredReport, Path]:
    """A stored report and its file; NotFound if either is gone."""
    for found in stored_reports(runtime, site_id):
        path = runtime.settings.data_dir / found.path
        if found.id == report_id and path.is_file():
            return found, path
    raise NotFound("There is no such stored report.", "Không có báo cáo đã lưu này.")


def run_due_reports(
    runtime: Runtime, site_id: int, today: date | None = None
) -> list[StoredReport]:
    """Generate the regulation reports due by ``today`` (site-local) not stored yet, both formats.

    Meant to run once a day after closing time (a timer), so the last working day's
    activity is in; it catches up on reports missed in the last month.
    """
    with runtime.uow(readonly=True) as uow:
        zone = uow.repo.site_by_id(site_id).timezone
        calendar = site_calendar(uow, site_id)
    today = today or runtime.clock().astimezone(ZoneInfo(zone)).date()
    have = {
        (s.kind, s.period_start, s.period_end, s.format) for s in stored_reports(runtime, site_id)
    }
    made = []
    for due in due_reports(today, calendar, since=today - timedelta(days=CATCH_UP_DAYS)):
        period: ReportPeriod = due.period
        for fmt in ReportFormat:
            if (
                period.kind.value,
                period.start.isoformat(),
                period.end.isoformat(),
                fmt.value,
            ) in have:
                continue
            made.append(store_report(runtime, site_id, ReportRequest(period), fmt, "schedule"))
            log.info("scheduled report %s stored as %s", period.slug, fmt.value)
    return made
