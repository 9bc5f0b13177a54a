"""Pages anyone on the floor opens: the counter console, the hall board, ticket tracking.

They are static shells; all data comes from the public API and the event stream,
so a page never shows anything the API would not give the same caller.
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/web",
)


@bp.get("/counter")
def counter() -> str:
    return render_template("counter.html")


@bp.get("/board")
def board() -> str:
    return render_template("board.html")


@bp.get("/t/<token>")
def track(token: str) -> str:
    return render_template("track.html", token=token)
