"""Pages anyone on the floor opens: the counter console, the hall board, ticket tracking.

They are static shells; all data comes from the public API and the event stream,
so a page never shows anything the API would not give the same caller.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from device_kit.contract import events

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/web",
)


@bp.app_context_processor
def event_kinds() -> dict[str, Any]:
    """The event kinds every page follows, from the one contract (see live.js)."""
    return {"event_kinds": events.for_pages()}


@bp.get("/counter")
def counter() -> str:
    return render_template("counter.html")


@bp.get("/board")
def board() -> str:
    return render_template("board.html")


@bp.get("/t/<token>")
def track(token: str) -> str:
    return render_template("track.html", token=token)
