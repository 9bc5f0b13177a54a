"""Admin pages: the centre's texts, services, counters, accounts and device tokens.

Server-rendered forms on a signed session cookie (HttpOnly, SameSite, Secure over
TLS), so every form carries a CSRF token checked before anything changes. The
cookie holds only a session token kept on the server (``auth.SESSION_KIND``): it
dies on sign-out, on a password change and when the account is disabled. Only an
active admin account gets in, and that is re-checked on every request; technicians
sign in here too, for the fleet page (:mod:`queue_server.web.fleet`) only.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

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
from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Response

from device_kit.contract.errors import Refusal
from device_kit.public_url import public_or_none
from queue_server.adapters.account_repository import AccountRepository, UserRecord
from queue_server.api.admin import NewDeviceToken, NewUser
from queue_server.api.schemas import ServicePatch, SitePatch
from queue_server.backup_status import notice as backup_notice
from queue_server.flask_runtime import current_runtime
from queue_server.security import SESSION_MAX, client_address
from queue_server.services import administration
from queue_server.services.auth import (
    SESSION_KIND,
    AuthError,
    DeviceKind,
    Role,
    session_user,
)
from queue_server.services.auth import (
    revoke_token as end_session,
)
from queue_server.services.sign_in_guard import open_token
from queue_server.services.site_ref import SiteRef, run_with_site
from queue_server.services.unit_of_work import run

Model = TypeVar("Model", bound=BaseModel)

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


@bp.app_context_processor
def _inject_csrf() -> dict[str, Any]:
    return {"csrf_token": csrf_token}


#: Who may sign in to these pages at all (each blueprint narrows it down).
SIGN_IN_ROLES = frozenset({Role.ADMIN.value, Role.TECHNICIAN.value})
ADMINS = frozenset({Role.ADMIN.value})


def guard(roles: frozenset[str]) -> Response | None:
    """Before a page: the CSRF token on every POST, then an active account of ``roles``
    (re-read each request, so a disabled account is out at once) in ``g.user``."""
    _check_csrf()
    user = _signed_in_user()
    if user is None:
        session.pop("admin_session", None)
        return redirect(url_for("admin.login"))
    g.user = user  # the refusal page, too, points a technician to the fleet
    if user.role not in roles:
        abort(403)
    return None


@bp.before_request
def _guard() -> Response | None:
    if request.endpoint in ("admin.login", "admin.logout", "admin.static"):
        _check_csrf()
        return None
    return guard(ADMINS)


def _check_csrf() -> None:
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, "CSRF token missing or wrong")


def _signed_in_user() -> UserRecord | None:
    token = session.get("admin_session")
    if token is None:
        return None
    runtime = current_runtime()
    with runtime.db.read_connection() as conn:
        row = session_user(AccountRepository(conn), token, runtime.clock())
    if row is None or row.role not in SIGN_IN_ROLES:
        return None
    return row


def site_id() -> int:
    """The signed-in account's site (the default site for an account bound to none)."""
    with current_runtime().uow(readonly=True) as uow:
        site = uow.repo.site(current_runtime().settings.default_site)
        if g.user.site_id is not None:
            site = uow.repo.site_by_id(g.user.site_id)
        assert site is not None
        return site.id or 0


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        try:
            runtime = current_runtime()
            now = runtime.clock()
            username = request.form.get("username", "")
            signed = open_token(
                runtime.uow,
                SiteRef(code=runtime.settings.default_site),
                username,
                request.form.get("password", ""),
                address=client_address(),
                now=now,
                kind=SESSION_KIND,
                lifetime=SESSION_MAX,
                roles=SIGN_IN_ROLES,
                any_site=True,
            )
        except AuthError as exc:
            flash(f"{exc.message_vi} / {exc.message}", "error")
            return render_template("admin_login.html"), 401
        session.clear()
        session["admin_session"] = signed.token
        csrf_token()
        return redirect(
            url_for("admin.index" if signed.role == Role.ADMIN.value else "fleet.index")
        )
    return render_template("admin_login.html")


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server too: a copy of the cookie is worth nothing after."""
    token = session.get("admin_session")
    if token is not None:
        runtime = current_runtime()
        run(runtime.uow, lambda uow: end_session(uow, token, runtime.clock()))
    session.clear()
    return redirect(url_for("admin.login"))


def public_url_warning() -> str | None:
    """Why printed tickets may carry no tracking QR: ``"unset"`` while
    ``MOTCUA_PUBLIC_URL`` is not set (tickets then take the address each caller used,
    and a kiosk on the server box uses 127.0.0.1), ``"local"`` when it names this
    machine only; None when a visitor's phone can open it."""
    configured = current_runtime().settings.public_url
    if not configured:
        return "unset"
    return "local" if public_or_none(configured) is None else None


@bp.get("")
def index() -> str:
    runtime = current_runtime()
    here = site_id()
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site_by_id(here)
        services = uow.repo.services(here)
        codes = {s.id: s.code for s in services}
        links = uow.repo.counter_service_map(here)
        counters = [
            (c, [codes[sid] for sid in links.get(c.id or 0, [])])
            for c in uow.repo.counters(here)
        ]
        return render_template(
            "admin.html",
            site=site,
            services=services,
            counters=counters,
            users=administration.list_users(uow, here),
            tokens=administration.list_device_tokens(uow, here),
            roles=list(Role),
            kinds=list(DeviceKind),
            public_url_warning=public_url_warning(),
            backup=backup_notice(runtime.settings.data_dir, runtime.clock()),
        )


def change(
    work: Callable[[Any, Any, str, Any], str | None], back: str = "admin.index", **where: Any
) -> Response:
    """Run one change in a unit of work, say what happened (vi and en), go ``back``."""
    runtime = current_runtime()
    try:
        who, now = f"user:{g.user.username}", runtime.clock()
        message = run_with_site(
            runtime.uow, SiteRef(site_id=site_id()), lambda uow, site: work(uow, site, who, now)
        )
        flash(message or "Đã lưu. / Saved.", "ok")
    except Refusal as exc:
        flash(f"{exc.message_vi} / {exc.message}", "error")
    return redirect(url_for(back, **where))


def form_text(name: str, limit: int) -> str:
    """A form field, trimmed and cut to ``limit``; NUL dropped (no database stores it)."""
    return request.form.get(name, "").replace("\x00", "").strip()[:limit]


def validated(model: type[Model], data: dict[str, Any]) -> Model | None:
    """``data`` checked by the API's own model, so a form accepts no more than the API;
    on refusal, flash which fields are wrong (their values are not repeated)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}))
        flash(f"Dữ liệu không hợp lệ: {fields}. / Not valid: {fields}.", "error")
        return None


@bp.post("/site")
def edit_site() -> Response:
    body = validated(
        SitePatch, {field: form_text(field, 2000) for field in administration.SITE_FIELDS}
    )
    if body is None:
        return redirect(url_for("admin.index"))
    changes = body.model_dump(exclude_unset=True)
    return change(
        lambda uow, site, who, now: administration.update_site(uow, site, changes, who, now)
    )


@bp.post("/services/<code>")
def edit_service(code: str) -> Response:
    body = validated(
        ServicePatch,
        {
            "name_vi": form_text("name_vi", 200),
            "name_en": form_text("name_en", 200),
            "active": request.form.get("active") == "on",
        },
    )
    if body is None:
        return redirect(url_for("admin.index"))
    changes = body.model_dump(exclude_unset=True, mode="json")

    def work(uow: Any, site: Any, who: str, now: Any) -> None:
        administration.update_service(uow, site, code, changes, who, now)

    return change(work)


@bp.post("/users")
def add_user() -> Response:
    body = validated(
        NewUser,
        {
            "username": form_text("username", 200),
            "password": request.form.get("password", ""),
            "role": request.form.get("role", ""),
            "full_name": form_text("full_name", 400),
        },
    )
    if body is None:
        return redirect(url_for("admin.index"))

    def work(uow: Any, site: Any, who: str, now: Any) -> str:
        administration.add_user(
            uow, site.id, body.username, Role(body.role), body.password, body.full_name, who, now
        )
        return f"Đã tạo tài khoản {body.username}. / Account {body.username} created."

    return change(work)


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int) -> Response:
    def work(uow: Any, site: Any, who: str, now: Any) -> str:
        ended = administration.set_user_active(
            uow, site.id, user_id, False, who, now, by_user_id=g.user.id
        )
        return (
            f"Đã khóa tài khoản; {ended} phiên đăng nhập bị thu hồi. / "
            f"Account disabled; {ended} tokens revoked."
        )

    return change(work)


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int) -> Response:
    def work(uow: Any, site: Any, who: str, now: Any) -> str:
        administration.set_user_active(uow, site.id, user_id, True, who, now)
        return "Đã mở khóa tài khoản. / Account enabled."

    return change(work)


@bp.post("/users/<int:user_id>/sign-out")
def sign_out_user(user_id: int) -> Response:
    def work(uow: Any, site: Any, who: str, now: Any) -> str:
        ended = administration.end_user_tokens(uow, site.id, user_id, who, now)
        return f"Đã thu hồi {ended} phiên đăng nhập. / {ended} tokens revoked."

    return change(work)


@bp.post("/users/<int:user_id>/password")
def change_password(user_id: int) -> Response:
    def work(uow: Any, site: Any, who: str, now: Any) -> str:
        ended = administration.set_password(
            uow, site.id, user_id, request.form.get("password", ""), who, now
        )
        return (
            f"Đã đổi mật khẩu; {ended} phiên đăng nhập cũ bị thu hồi. / "
            f"Password changed; {ended} old tokens revoked."
        )

    return change(work)


@bp.post("/tokens")
def add_token() -> Response:
    counter = request.form.get("counter", "").strip()
    body = validated(
        NewDeviceToken,
        {
            "kind": request.form.get("kind", ""),
            "name": form_text("name", 240) or request.form.get("kind", ""),
            "counter": counter or None,
        },
    )
    if body is None:
        return redirect(url_for("admin.index"))

    def work(uow: Any, site: Any, who: str, now: Any) -> str:
        token = administration.add_device_token(
            uow, site.id, DeviceKind(body.kind), body.name, body.counter, who, now
        )
        return f"Mã của thiết bị «{body.name}» (chỉ hiện một lần) / token, shown once: {token}"

    return change(work)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    return change(
        lambda uow, site, who, now: administration.revoke_device_token(
            uow, site.id, token_id, who, now
        )
    )
