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
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

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
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.api.admin import NewDeviceToken
from queue_server.api.schemas import SitePatch, SiteVoicePatch
from queue_server.backup_status import notice as backup_notice
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.model import Site
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
    """The site these pages change: an account bound to a site has that one; one bound
    to none administers every site and picks one with the switcher (the default site
    until it does)."""
    if g.user.site_id is not None:
        return int(g.user.site_id)
    with current_runtime().uow(readonly=True) as uow:
        chosen = session.get("admin_site")
        if isinstance(chosen, int) and chosen in {site.id for site in uow.repo.sites()}:
            return chosen
        site = uow.repo.site(current_runtime().settings.default_site)
        assert site is not None
        return site.id or 0


def switchable_sites() -> list[tuple[int, str]]:
    """The sites the switcher offers (id, name): all of them to an admin bound to none,
    when there are several; none otherwise."""
    if g.user.site_id is not None:
        return []
    with current_runtime().uow(readonly=True) as uow:
        sites = [(site.id or 0, f"{site.name_vi} ({site.code})") for site in uow.repo.sites()]
    return sites if len(sites) > 1 else []


@bp.post("/site-choice")
def choose_site() -> Response:
    wanted = request.form.get("site", type=int)
    if wanted in {site for site, _ in switchable_sites()}:
        session["admin_site"] = wanted
    return redirect(_same_site_page())


def _same_site_page() -> str:
    """Back to the page the switcher was used on, if it is one of ours."""
    back = request.form.get("back", "")
    return back if back.startswith("/admin") and "//" not in back else url_for("admin.index")


def site_zone() -> ZoneInfo:
    """The time zone of the site shown: times on these pages are the centre's clock."""
    with current_runtime().uow(readonly=True) as uow:
        return ZoneInfo(uow.repo.site_by_id(site_id()).timezone)


@bp.app_context_processor
def _admin_context() -> dict[str, Any]:
    """What every admin page's header shows: the site switcher."""
    if request.blueprint != "admin" or "user" not in g:
        return {}
    return {"site_choices": switchable_sites(), "site_here": site_id()}


@bp.app_template_filter("local")
def local_time(moment: datetime | str | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """A stored (UTC) time, or one in ISO form as the API gives it, as the centre's
    clock shows it."""
    if not moment:
        return ""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.astimezone(site_zone()).strftime(pattern)


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
    """The centre's texts and device tokens; the other sections have pages of their own."""
    runtime = current_runtime()
    here = site_id()
    with runtime.uow(readonly=True) as uow:
        return render_template(
            "admin.html",
            site=uow.repo.site_by_id(here),
            tokens=administration.list_device_tokens(uow, here),
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


def confirm_first(question_vi: str, question_en: str) -> str | None:
    """A destructive action runs only once confirmed: without ``confirm=yes`` in the form,
    the answer is a page asking the question, whose button posts the same form again with
    it (the pages' script asks in a dialog instead; this works without JavaScript)."""
    if request.form.get("confirm") == "yes":
        return None
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "confirm")
    ]
    return render_template(
        "admin_confirm.html",
        question_vi=question_vi,
        question_en=question_en,
        action=request.path,
        fields=fields,
        back=request.referrer or url_for("admin.index"),
    )


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
    return _save_site(SitePatch, administration.SITE_FIELDS, 2000)


@bp.post("/site/voice")
def edit_voice() -> Response:
    return _save_site(SiteVoicePatch, administration.VOICE_FIELDS, 10)


def _save_site(model: type[SiteVoicePatch], fields: tuple[str, ...], limit: int) -> Response:
    """A site form posted: its fields checked by the API's ``model``, then saved."""
    body = validated(model, {field: form_text(field, limit) for field in fields})
    if body is None:
        return redirect(url_for("admin.index"))
    changes = body.model_dump(exclude_unset=True)

    def edit(uow: UnitOfWork, site: Site, who: str, now: datetime) -> None:
        administration.update_site(uow, site, changes, who, now)

    return change(edit)


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
def revoke_token(token_id: int) -> Response | str:
    asked = confirm_first(
        f"Thu hồi mã thiết bị «{form_text('name', 120)}»? Thiết bị sẽ ngừng hoạt động ngay.",
        f"Revoke the device token «{form_text('name', 120)}»? The device stops at once.",
    )
    if asked is not None:
        return asked
    return change(
        lambda uow, site, who, now: administration.revoke_device_token(
            uow, site.id, token_id, who, now
        )
    )
