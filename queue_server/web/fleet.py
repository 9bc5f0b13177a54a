"""The fleet page: every kiosk, hall board, LED bridge and rating terminal, those that
need a technician first; pairing by the code a device shows, its configuration, revoking.

Technicians and admins use it, on the admin session with CSRF on every form. The
table refreshes itself: the page follows ``devices.health`` and ``config.device`` on
the event stream and re-reads the table every 30 s, because a device that falls
silent sends no event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from pydantic import ValidationError
from werkzeug.wrappers import Response

from queue_server.api.devices import DeviceConfig
from queue_server.backup_status import notice as backup_notice
from queue_server.flask_runtime import current_runtime
from queue_server.services import device_fleet
from queue_server.services.auth import Role
from queue_server.web.admin import (
    SIGN_IN_ROLES,
    change,
    form_text,
    guard,
    public_url_warning,
    site_id,
)
from queue_server.web.tls import ca_fingerprint

bp = Blueprint("fleet", __name__, url_prefix="/admin/devices", template_folder="templates")

STATUS = {
    "silent": ("Mất liên lạc", "Silent"),
    "unhealthy": ("Có sự cố", "Needs attention"),
    "never_seen": ("Chưa kết nối", "Never connected"),
    "ok": ("Hoạt động tốt", "Working"),
}
KINDS = {
    "kiosk": ("Ki-ốt", "Kiosk"),
    "board": ("Bảng hiển thị", "Display"),
    "rating": ("Máy đánh giá", "Rating terminal"),
    "counter": ("Thiết bị quầy", "Counter device"),
}
ROLES = {
    "kiosk-ticket": ("Lấy số thứ tự", "Tickets"),
    "kiosk-lookup": ("Tra cứu hồ sơ", "Dossier lookup"),
    "hall-board": ("Bảng sảnh", "Hall board"),
    "led-bridge": ("Cầu nối bảng LED", "LED bridge"),
    "rating": ("Đánh giá", "Rating"),
}
PARTS = {
    "printer": ("Máy in", "Printer"),
    "scanner": ("Máy quét", "Scanner"),
    "camera": ("Camera", "Camera"),
    "serial": ("Cổng nối tiếp", "Serial port"),
    "audio": ("Loa", "Audio"),
}
STATES = {
    "paper_out": ("hết giấy", "out of paper"),
    "paper_low": ("sắp hết giấy", "paper low"),
    "offline": ("mất kết nối", "offline"),
    "unreachable": ("không kết nối được", "unreachable"),
    "missing": ("không tìm thấy", "not found"),
    "cover_open": ("nắp đang mở", "cover open"),
    "error": ("lỗi", "error"),
    "failing": ("đang lỗi", "failing"),
}
#: Form labels, also used to name a field the configuration form got wrong.
FIELDS = {
    "printer_url": ("Địa chỉ máy in", "Printer URL"),
    "printer_profile": ("Mẫu máy in", "Printer profile"),
    "paper": ("Khổ giấy", "Paper width"),
    "printer_text_mode": ("Cách in tiếng Việt", "Vietnamese printed as"),
    "camera": ("Camera số", "Camera index"),
    "scanners": ("Máy quét", "Scanners"),
    "serial": ("Cổng nối tiếp", "Serial port"),
    "board_counters": ("Quầy trên bảng", "Board counters"),
    "board_columns": ("Số cột", "Columns"),
    "languages": ("Ngôn ngữ", "Languages"),
    "announcement_mode": ("Cách đọc số", "Numbers read"),
    "announcement_variant": ("Từ đọc theo vùng", "Regional words"),
    "led_routes": ("Bảng LED", "LED routes"),
    "counter": ("Quầy gắn với thiết bị", "Bound counter"),
}


@bp.before_request
def _guard() -> Response | None:
    return guard(SIGN_IN_ROLES)


@bp.get("")
def index() -> str:
    runtime = current_runtime()
    return render_template(
        "fleet.html",
        **_listing(),
        counters=_counter_numbers(),
        is_admin=_is_admin(),
        ca_fingerprint=ca_fingerprint(),
        public_url_warning=public_url_warning(),
        backup=backup_notice(runtime.settings.data_dir, runtime.clock()),
    )


@bp.get("/live")
def live() -> str:
    """The table and its headline alone, for the page to swap in."""
    return render_template("fleet_table.html", **_listing())


@bp.get("/<int:device_id>")
def device(device_id: int) -> Any:
    entry = next((d for d in _listing()["devices"] if d["id"] == device_id), None)
    if entry is None:
        flash("Không có thiết bị này. / No such device.", "error")
        return redirect(url_for("fleet.index"))
    return render_template(
        "fleet_device.html", device=entry, counters=_counter_numbers(), is_admin=_is_admin(),
        fields=FIELDS,
    )


@bp.post("/pair")
def pair() -> Response:
    code = "".join(ch for ch in form_text("code", 20) if ch.isdigit())  # "493 027" is fine
    name = form_text("name", 120)
    counter = form_text("counter", 3)

    def work(uow: Any, site: Any, who: str, now: datetime) -> str:
        paired = device_fleet.confirm_pairing(
            uow, site.id, code, name, int(counter) if counter else None, who, now,
            may_bind=_is_admin(),
        )
        return f"Đã ghép nối «{paired['name']}». / Paired {paired['name']}."

    if not (code.isdigit() and len(code) == 6 and name):
        flash("Cần mã 6 chữ số và tên thiết bị. / A six-digit code and a name.", "error")
        return redirect(url_for("fleet.index"))
    if counter and not counter.isdecimal():  # "²" is a digit to isdigit, not to int
        flash("Số quầy không hợp lệ. / Not a valid counter number.", "error")
        return redirect(url_for("fleet.index"))
    return change(work, "fleet.index")


@bp.post("/<int:device_id>/config")
def configure(device_id: int) -> Response:
    try:
        config = DeviceConfig.model_validate(_config_form()).model_dump(exclude_none=True)
    except ValidationError as exc:
        wrong = sorted({str(err["loc"][0]) for err in exc.errors()})
        flash(
            "Giá trị không hợp lệ: " + ", ".join(FIELDS.get(f, (f, f))[0] for f in wrong)
            + " / Not valid: " + ", ".join(FIELDS.get(f, (f, f))[1] for f in wrong),
            "error",
        )
        return redirect(url_for("fleet.device", device_id=device_id))

    def work(uow: Any, site: Any, who: str, now: datetime) -> str:
        revision = device_fleet.set_config(
            uow, site.id, device_id, config, who, now, may_bind=_is_admin()
        )
        return (
            f"Đã lưu cấu hình (phiên bản {revision}); thiết bị sẽ tự cập nhật. / "
            f"Configuration saved (revision {revision}); the device picks it up."
        )

    return change(work, "fleet.device", device_id=device_id)


@bp.post("/<int:device_id>/revoke")
def revoke(device_id: int) -> Response:
    def work(uow: Any, site: Any, who: str, now: datetime) -> str:
        device_fleet.revoke(uow, site.id, device_id, who, now)
        return "Đã thu hồi thiết bị. / Device revoked."

    return change(work, "fleet.index")


def _listing() -> dict[str, Any]:
    """The fleet as shown, and the last event id read before it (the stream resumes there)."""
    runtime = current_runtime()
    here = site_id()
    with runtime.uow(readonly=True) as uow:
        last_event_id = uow.repo.last_event_id(here)
        now = runtime.clock()
        entries = device_fleet.fleet(uow, here, now)
    return {
        "devices": [_shown(entry, now) for entry in entries],
        "attention": device_fleet.needs_attention(entries),
        "last_event_id": last_event_id,
    }


def _shown(entry: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A fleet entry with its words: status, kind, role, problems, when, how long up."""
    health = entry["health"]
    problems = []
    for part in entry["problems"]:
        if part == "clock":
            problems.append(_clock_off(float(health["clock_skew_s"])))
            continue
        state = STATES.get(health[part], ("trạng thái không rõ", f"unknown state {health[part]!r}"))
        problems.append((f"{PARTS[part][0]}: {state[0]}", f"{PARTS[part][1]}: {state[1]}"))
    seen = datetime.fromisoformat(entry["last_seen_at"]) if entry["last_seen_at"] else None
    return {
        **entry,
        "status_text": STATUS[entry["status"]],
        "kind_text": KINDS.get(entry["kind"], (entry["kind"], entry["kind"])),
        "role_text": ROLES.get(entry["role"], (entry["role"], entry["role"])),
        "problem_texts": problems,
        "seen_text": _ago(now - seen) if seen else None,
        "uptime_text": _uptime(entry["uptime_s"]) if entry["uptime_s"] else None,
    }


def _clock_off(skew_s: float) -> tuple[str, str]:
    """How far and which way the device's clock is off (ahead: its time is later)."""
    seconds, ahead = round(abs(skew_s)), skew_s > 0
    return (
        f"Đồng hồ lệch {seconds} giây ({'nhanh' if ahead else 'chậm'})",
        f"Clock {seconds} s {'ahead' if ahead else 'behind'}",
    )


def _ago(elapsed: timedelta) -> tuple[str, str]:
    seconds = int(elapsed.total_seconds())
    if seconds < 60:
        return "vừa xong", "just now"
    for size, vi, en in ((86400, "ngày", "d"), (3600, "giờ", "h")):
        if seconds >= size:
            return f"{seconds // size} {vi} trước", f"{seconds // size} {en} ago"
    return f"{seconds // 60} phút trước", f"{seconds // 60} min ago"


def _uptime(seconds: int) -> tuple[str, str]:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} ngày {hours} giờ", f"{days} d {hours} h"
    if hours:
        return f"{hours} giờ {minutes} phút", f"{hours} h {minutes} min"
    return f"{minutes} phút", f"{minutes} min"


def _config_form() -> dict[str, Any]:
    """The configuration form as DeviceConfig's fields; an empty field is not set."""
    def number(name: str) -> Any:
        text = form_text(name, 20)
        return int(text) if text.isdecimal() else (text or None)  # "²": refused as text

    def items(name: str, separator: str | None = ",") -> list[str] | None:
        parts = [p.strip() for p in form_text(name, 20_000).split(separator)]
        return [p for p in parts if p] or None

    port = form_text("serial_port", 200)
    raw = {
        "printer_url": form_text("printer_url", 300) or None,
        "printer_profile": form_text("printer_profile", 60) or None,
        "paper": number("paper"),
        "printer_text_mode": form_text("printer_text_mode", 10) or None,
        "camera": number("camera"),
        "scanners": items("scanners"),
        "serial": {
            "port": port, "baudrate": number("serial_baudrate") or 9600,
            "parity": form_text("serial_parity", 1) or "N",
        } if port else None,
        "board_counters": items("board_counters"),
        "board_columns": number("board_columns"),
        "languages": form_text("languages", 10) or None,
        "announcement_mode": form_text("announcement_mode", 10) or None,
        "announcement_variant": form_text("announcement_variant", 10) or None,
        "led_routes": items("led_routes", None),
        "counter": number("counter"),
    }
    return {key: value for key, value in raw.items() if value is not None}


def _counter_numbers() -> list[int]:
    with current_runtime().uow(readonly=True) as uow:
        return sorted(c.number for c in uow.repo.counters(site_id()))


def _is_admin() -> bool:
    return bool(g.user.role == Role.ADMIN.value)
