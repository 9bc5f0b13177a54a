"""Pages anyone on the floor opens: the landing page, the counter console, the hall board,
ticket tracking.

They are static shells; all data comes from the public API and the event stream,
so a page never shows anything the API would not give the same caller.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for

from device_kit.contract import events
from queue_server.flask_runtime import current_runtime
from queue_server.web.ticket_words import state_words

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


#: The landing page's tiles: where each kind of staff member goes, and what for.
HOME_WORDS = {
    "title": ["Chọn trang làm việc", "Choose where to work"],
    "board": ["Bảng gọi số", "Hall board"],
    "board_hint": ["Màn hình số đang gọi cho sảnh chờ.", "The numbers being called, for the hall."],
    "counter": ["Quầy giao dịch", "Counter console"],
    "counter_hint": ["Cán bộ gọi số, phục vụ, chuyển quầy.", "Officers call, serve and transfer."],
    "fleet": ["Thiết bị", "Device fleet"],
    "fleet_hint": [
        "Kỹ thuật viên: ghép nối và theo dõi ki-ốt, bảng, máy đánh giá.",
        "Technicians: pair and watch kiosks, boards, rating terminals.",
    ],
    "admin": ["Quản trị", "Administration"],
    "admin_hint": [
        "Dịch vụ, quầy, tài khoản, mã thiết bị.",
        "Services, counters, accounts, device tokens.",
    ],
    "reports": ["Báo cáo", "Reports"],
    "reports_hint": [
        "Lãnh đạo: số liệu theo ngày, tháng, quý, năm.",
        "Supervisors: figures per day, month, quarter, year.",
    ],
}


@bp.get("/")
def home() -> str:
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site(runtime.settings.default_site)
        site_name = site.name_vi if site else "Bộ phận Một cửa"
    tiles = [
        ("board", url_for("pages.board")),
        ("counter", url_for("pages.counter")),
        ("fleet", url_for("fleet.index")),
        ("admin", url_for("admin.index")),
        ("reports", url_for("reports_page.reports")),
    ]
    return render_template(
        "home.html",
        site_name=site_name,
        tiles=tiles,
        words=HOME_WORDS,
    )


@bp.get("/counter")
def counter() -> str:
    return render_template("counter.html")


@bp.get("/board")
def board() -> str:
    return render_template("board.html")


@bp.get("/t/<token>")
def track(token: str) -> str:
    return render_template("track.html", token=token, state_words=state_words())
