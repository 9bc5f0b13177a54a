"""Reports for supervisors and admins: figures as JSON, XLSX/PDF exports, and the
reports stored by the regulation schedule (or on request)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from flask import Response, jsonify, send_file
from pydantic import BaseModel, ConfigDict, Field

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.api.blueprint import bp
from queue_server.api.context import authorize, current_site
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.model import Site
from queue_server.reports.build import ReportFormat, ReportRequest, build_report, render
from queue_server.reports.figures import Report
from queue_server.reports.layout import columns_json, row_json
from queue_server.reports.periods import (
    FIRST_DAY,
    LAST_DAY,
    PeriodKind,
    ReportPeriod,
    requested_period,
)
from queue_server.reports.store import store_report, stored_report, stored_reports
from queue_server.services.auth import Forbidden, Permission, Role
from queue_server.services.clock import local_day

#: A report day lies in the years the working calendar knows (see ``/dossiers/calendar``).
ReportDay = Annotated[
    date,
    Field(ge=FIRST_DAY, le=LAST_DAY, description=f"{FIRST_DAY} to {LAST_DAY}"),
]


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    period: PeriodKind = PeriodKind.MONTH
    start: ReportDay | None = Field(None, alias="from")
    end: ReportDay | None = Field(None, alias="to")
    service: str | None = Field(None, max_length=40)
    counter: int | None = Field(None, ge=1, le=999)
    officer: str | None = Field(None, max_length=80)


class ExportQuery(ReportQuery):
    format: ReportFormat = ReportFormat.XLSX


class StoreBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    period: PeriodKind
    start: ReportDay | None = Field(None, alias="from")
    end: ReportDay | None = Field(None, alias="to")
    format: ReportFormat = ReportFormat.PDF


def _supervisor() -> None:
    who = authorize(Permission.READ)
    if who.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden(
            "Reports are for supervisors and admins.",
            "Báo cáo chỉ dành cho lãnh đạo, giám sát và quản trị.",
        )


def _period(site: Site, kind: PeriodKind, start: date | None, end: date | None) -> ReportPeriod:
    """The period asked for, ``start`` defaulting to the site's today; refused in words."""
    today = date.fromisoformat(local_day(current_runtime().clock(), site.timezone))
    return requested_period(kind, start, end, today)


def _request(uow: UnitOfWork, query: ReportQuery) -> tuple[Site, ReportRequest]:
    site = current_site(uow)
    period = _period(site, query.period, query.start, query.end)
    return site, ReportRequest(period, query.service, query.counter, query.officer)


def _report(query: ReportQuery) -> Report:
    """The report a supervisor asked for, built in one read-only transaction."""
    _supervisor()
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        site, wanted = _request(uow, query)
        return build_report(uow, site, wanted, runtime.clock())


@endpoint(
    bp,
    "/reports/summary",
    "GET",
    summary="Report figures for a period, per site/service/counter/officer (supervisor)",
    tag="reports",
    permission=Permission.READ,
    query=ReportQuery,
)
def summary(query: ReportQuery) -> Any:
    report = _report(query)
    document = report.to_dict()
    document["columns"] = columns_json()
    document["rows"] = {
        name: [row_json(g, name) for g in groups] for name, groups in report.groups.items()
    }
    document["rows"]["totals"] = row_json(report.totals, "service")
    return jsonify(document)


@endpoint(
    bp,
    "/reports/export",
    "GET",
    summary="The report as an XLSX workbook or a PDF with charts (supervisor)",
    tag="reports",
    permission=Permission.READ,
    query=ExportQuery,
)
def export(query: ExportQuery) -> Any:
    report = _report(query)
    return Response(
        render(report, query.format),
        mimetype=query.format.media_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="bao-cao-{report.period.slug}.{query.format.value}"'
            )
        },
    )


@endpoint(
    bp,
    "/reports/stored",
    "GET",
    summary="Reports generated on schedule or on request, newest period first (supervisor)",
    tag="reports",
    permission=Permission.READ,
)
def list_stored() -> Any:
    _supervisor()
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        site_id = current_site(uow).id or 0
    return jsonify({"reports": [s.to_dict() for s in stored_reports(runtime, site_id)]})


@endpoint(
    bp,
    "/reports/stored",
    "POST",
    summary="Generate a report now and keep it with the scheduled ones (supervisor)",
    tag="reports",
    permission=Permission.READ,
    body=StoreBody,
    responses={201: "The stored report"},
)
def create_stored(body: StoreBody) -> Any:
    _supervisor()
    who = authorize(Permission.READ)
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        site = current_site(uow)
        site_id = site.id or 0
        period = _period(site, body.period, body.start, body.end)
    stored = store_report(runtime, site_id, ReportRequest(period), body.format, who.label)
    return jsonify(stored.to_dict()), 201


@endpoint(
    bp,
    "/reports/stored/<int:report_id>",
    "GET",
    summary="Download a stored report (supervisor)",
    tag="reports",
    permission=Permission.READ,
)
def download_stored(report_id: int) -> Any:
    _supervisor()
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        site_id = current_site(uow).id or 0
    found, path = stored_report(runtime, site_id, report_id)
    return send_file(
        path,
        mimetype=ReportFormat(found.format).media_type,
        as_attachment=True,
        download_name=found.filename,
    )
