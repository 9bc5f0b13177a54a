"""Admin pages: the working calendar. The rules know the fixed holidays and Tết; each
year the government's notice adds days off and Saturdays worked in exchange, and the
admin enters them here, one date at a time (the API takes the whole year at once)."""

from __future__ import annotations

from datetime import date, datetime

from flask import render_template, request
from werkzeug.wrappers import Response

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.errors import InvalidCalendar
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.model import Site
from queue_server.services.working_calendar import set_day, year_view
from queue_server.web.admin import bp, change, form_text, site_id, site_zone

FIRST_YEAR, LAST_YEAR = 2000, 2099
#: What the "kind of day" choice means for the override (None: back to the rules).
DAY_KINDS = {"off": False, "working": True, "rules": None}


@bp.get("/calendar")
def calendar() -> str:
    this_year = datetime.now(site_zone()).year
    year = request.args.get("year", this_year, type=int)
    year = year if FIRST_YEAR <= year <= LAST_YEAR else this_year
    with current_runtime().uow(readonly=True) as uow:
        view = year_view(uow, site_id(), year)
    return render_template("admin_calendar.html", view=view, year=year)


@bp.post("/calendar/day")
def calendar_day() -> Response:
    text, kind = form_text("date", 10), request.form.get("kind", "")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    year = day.year if day else None

    def work(uow: UnitOfWork, site: Site, who: str, now: datetime) -> str:
        if day is None or kind not in DAY_KINDS or not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InvalidCalendar(
                "Choose a date (2000-2099) and a kind of day.",
                "Hãy chọn ngày (2000–2099) và loại ngày.",
            )
        set_day(uow, site.id or 0, day, DAY_KINDS[kind], form_text("note", 200), who, now)
        return f"Đã lưu ngày {day:%d/%m/%Y}. / {day.isoformat()} saved."

    return change(work, "admin.calendar", **({"year": year} if year else {}))
