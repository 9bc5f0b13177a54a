"""Admin pages: the centre's texts, services, counters, accounts and device tokens.

Server-rendered forms on a signed session cookie (HttpOnly, SameSite), so every
form carries a CSRF token checked before anything changes. Only an active admin
account gets in, and that is re-checked on every request.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from queue_server.adapters.tables import users
from queue_server.queueing.errors import QueueError
from queue_server.runtime import current_runtime
from queue_server.security import client_address
from queue_server.services import administration
from queue_server.services.auth import AuthError, DeviceKind, Role
from queue_server.services.sign_in_guard import guarded_sign_in

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


@bp.app_context_processor
def _inject_csrf() -> dict[str, Any]:
    return {"csrf_token": csrf_token}


@bp.before_request
def _guard() -> Response | None:
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, "CSRF token missing or wrong")
    if request.endpoint in ("admin.login", "admin.static"):
        return None
    user = _signed_in_admin()
    if user is None:
        session.pop("admin_user", None)
        return redirect(url_for("admin.login"))
    g.admin = user
    return None


def _signed_in_admin() -> Any:
    user_id = session.get("admin_user")
    if user_id is None:
        return None
    with current_runtime().uow(readonly=True) as uow:
        row = uow.session.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or not row.active or row.role != Role.ADMIN.value:
        return None
    return row


def _site_id() -> int:
    with current_runtime().uow(readonly=True) as uow:
        site = uow.repo.site(current_runtime().settings.default_site)
        if g.admin.site_id is not None:
            site = uow.repo.site_by_id(g.admin.site_id)
        assert site is not None
        return site.id or 0


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        try:
            runtime = current_runtime()
            with runtime.uow() as uow:
                site = uow.repo.site(runtime.settings.default_site)
                user_id, _site, role = guarded_sign_in(
                    uow,
                    request.form.get("username", ""),
                    request.form.get("password", ""),
                    address=client_address(),
                    site_id=site.id if site else None,
                    now=runtime.clock(),
                )
                uow.commit()
            if role != Role.ADMIN.value:
                raise AuthError("Administrators only.", "Chỉ dành cho quản trị viên.")
        except AuthError as exc:
            flash(f"{exc.message_vi} / {exc.message}", "error")
            return render_template("admin_login.html"), 401
        session.clear()
        session["admin_user"] = user_id
        csrf_token()
        return redirect(url_for("admin.index"))
    return render_template("admin_login.html")


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("")
def index() -> str:
    runtime = current_runtime()
    site_id = _site_id()
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site_by_id(site_id)
        services = uow.repo.services(site_id)
        codes = {s.id: s.code for s in services}
        links = uow.repo.counter_service_map(site_id)
        counters = [
            (c, [codes[sid] for sid in links.get(c.id or 0, [])])
            for c in uow.repo.counters(site_id)
        ]
        return render_template(
            "admin.html",
            site=site,
            services=services,
            counters=counters,
            users=administration.list_users(uow, site_id),
            tokens=administration.list_device_tokens(uow, site_id),
            roles=list(Role),
            kinds=list(DeviceKind),
        )


def _change(work: Callable[[Any, Any, str, Any], str | None]) -> Response:
    """Run one admin change in a unit of work; say what happened, in vi and en."""
    runtime = current_runtime()
    try:
        with runtime.uow() as uow:
            site = uow.repo.site_by_id(_site_id())
            message = work(uow, site, f"user:{g.admin.username}", runtime.clock())
            uow.commit()
        flash(message or "Đã lưu. / Saved.", "ok")
    except QueueError as exc:
        flash(f"{exc.message_vi} / {exc.message}", "error")
    return redirect(url_for("admin.index"))


def _text(name: str, limit: int) -> str:
    return request.form.get(name, "").strip()[:limit]


@bp.post("/site")
def edit_site() -> Response:
    changes = {field: _text(field, 2000) for field in administration.SITE_FIELDS}
    return _change(
        lambda uow, site, who, now: administration.update_site(uow, site, changes, who, now)
    )


@bp.post("/services/<code>")
def edit_service(code: str) -> Response:
    changes: dict[str, Any] = {
        "name_vi": _text("name_vi", 200),
        "name_en": _text("name_en", 200),
        "active": request.form.get("active") == "on",
    }
    if not changes["name_vi"]:
        flash("Tên dịch vụ không được để trống. / The service needs a name.", "error")
        return redirect(url_for("admin.index"))
    return _change(
        lambda uow, site, who, now: administration.update_service(
            uow, site, code, changes, who, now
        )
    )


@bp.post("/users")
def add_user() -> Response:
    role = request.form.get("role", "")
    if role not in Role.__members__.values():
        abort(400)
    username = _text("username", 80)

    def work(uow: Any, site: Any, who: str, now: Any) -> str:
        administration.add_user(
            uow,
            site.id,
            username,
            Role(role),
            request.form.get("password", ""),
            _text("full_name", 200),
            who,
            now,
        )
        return f"Đã tạo tài khoản {username}. / Account {username} created."

    return _change(work)


@bp.post("/tokens")
def add_token() -> Response:
    kind = request.form.get("kind", "")
    if kind not in DeviceKind.__members__.values():
        abort(400)
    counter = request.form.get("counter", "").strip()
    name = _text("name", 120) or kind

    def work(uow: Any, site: Any, who: str, now: Any) -> str:
        token = administration.add_device_token(
            uow,
            site.id,
            DeviceKind(kind),
            name,
            int(counter) if counter.isdigit() else None,
            who,
            now,
        )
        return f"Mã của thiết bị «{name}» (chỉ hiện một lần) / token, shown once: {token}"

    return _change(work)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    return _change(
        lambda uow, site, who, now: administration.revoke_device_token(
            uow, site.id, token_id, who, now
        )
    )
