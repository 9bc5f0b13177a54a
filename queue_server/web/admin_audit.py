"""Admin pages: the audit log (:mod:`queue_server.audit`), filtered by who, what and
when, and exported as CSV with the same filter.

Dates are the centre's calendar days: "to 05/12" includes all of that day in the
site's time zone, not up to midnight UTC.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Response, flash, render_template, request

from queue_server.audit import MAX_ROWS, AuditFilter, audit_entries, to_csv
from queue_server.flask_runtime import current_runtime
from queue_server.web.admin import bp, site_id, site_zone

PAGE_ROWS = 500
#: The "what" choices: the start of an event kind, and how it is named.
KINDS = (
    ("", "Tất cả", "Everything"),
    ("auth.", "Đăng nhập", "Sign-ins"),
    ("accounts.", "Tài khoản và mã thiết bị", "Accounts and tokens"),
    ("config.", "Cấu hình (dịch vụ, quầy, trung tâm)", "Configuration"),
    ("calendar.", "Lịch làm việc", "Working calendar"),
    ("counter.", "Quầy (tạm dừng, đăng nhập)", "Counters"),
    ("ticket.", "Lượt phục vụ", "Tickets"),
    ("dossiers.", "Hồ sơ", "Dossiers"),
    ("security.", "An ninh", "Security"),
)


def _filter(limit: int) -> AuditFilter:
    """The query string as a filter; a date that does not parse is dropped, and said."""
    zone = site_zone()
    since, until = _day(request.args.get("from", "")), _day(request.args.get("to", ""))
    known = {prefix for prefix, _, _ in KINDS}
    kind = request.args.get("kind", "")
    return AuditFilter(
        since=datetime.combine(since, time.min, zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time.min, zone) if until else None,
        kind=kind if kind in known else "",
        actor=request.args.get("who", "").strip()[:80],
        limit=limit,
    )


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        flash(f"Ngày không hợp lệ: {text[:20]}. / Not a date: {text[:20]}.", "error")
        return None


@bp.get("/audit")
def audit() -> str:
    wanted = _filter(PAGE_ROWS)
    with current_runtime().uow(readonly=True) as uow:
        entries = audit_entries(uow, site_id(), wanted)
    return render_template(
        "admin_audit.html", entries=entries, kinds=KINDS, args=request.args, limit=PAGE_ROWS
    )


@bp.get("/audit.csv")
def audit_csv() -> Response:
    with current_runtime().uow(readonly=True) as uow:
        entries = audit_entries(uow, site_id(), _filter(MAX_ROWS))
    return Response(
        to_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=nhat-ky-kiem-tra.csv"},
    )
