"""The supervisor's reports page: a static shell; figures, charts and files come from the
reports API with the bearer token the supervisor signs in for (kept in sessionStorage)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("reports_page", __name__, template_folder="templates")


@bp.get("/reports")
def reports() -> str:
    return render_template("reports.html")
