"""Building a report for a site from what a person names: a period, and optionally a
service code, a counter number or an officer's user name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from queue_server.adapters.tables import users
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import NotFound
from queue_server.queueing.model import Site
from queue_server.reports.figures import Report
from queue_server.reports.periods import ReportPeriod
from queue_server.reports.queries import ReportFilter, collect_report
from queue_server.services.working_calendar import site_calendar


class ReportFormat(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"

    @property
    def media_type(self) -> str:
        if self is ReportFormat.PDF:
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportRequest:
    period: ReportPeriod
    service: str | None = None
    counter: int | None = None
    officer: str | None = None


def _scope(uow: UnitOfWork, site: Site, wanted: ReportRequest) -> ReportFilter:
    site_id = site.id or 0
    service_id = counter_id = officer_id = None
    if wanted.service:
        service_id = uow.repo.service(site_id, wanted.service).id
    if wanted.counter is not None:
        counter_id = uow.repo.counter_by_number(site_id, wanted.counter).id
    if wanted.officer:
        officer_id = uow.session.execute(
            select(users.c.id).where(users.c.username == wanted.officer)
        ).scalar()
        if officer_id is None:
            raise NotFound(
                f"There is no user {wanted.officer!r}.",
                f"Không có tài khoản «{wanted.officer}».",
            )
    return ReportFilter((site_id,), service_id, counter_id, officer_id)


def build_report(uow: UnitOfWork, site: Site, wanted: ReportRequest, now: datetime) -> Report:
    """The figures of ``wanted`` at ``site``, judged with the site's working calendar."""
    return collect_report(
        uow.session,
        _scope(uow, site, wanted),
        wanted.period,
        site_calendar(uow, site.id or 0),
        now,
        site.timezone,
    )


def render(report: Report, fmt: ReportFormat) -> bytes:
    """The export's bytes; the renderers load only when a file is asked for."""
    if fmt is ReportFormat.PDF:
        from queue_server.reports.pdf import report_pdf

        return report_pdf(report)
    from queue_server.reports.xlsx import report_xlsx

    return report_xlsx(report)
