"""Admin pages: staff accounts. Create with full name and role, reset a password,
disable and enable, lift a sign-in lockout, sign out everywhere.

The forms go through the API's own models (:class:`NewUser`, :class:`NewPassword`)
and the same use cases (:mod:`queue_server.services.administration`), so a page
accepts exactly what the API does; disabling and signing out ask first.
"""

from __future__ import annotations

from datetime import datetime

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.api.admin import NewPassword, NewUser
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.model import Site
from queue_server.services import administration, password_policy
from queue_server.services.auth import Role
from queue_server.web.admin import bp, change, confirm_first, form_text, site_id, validated

#: How each role is named on the page (the value is what the API takes).
ROLE_NAMES = {
    Role.ADMIN.value: ("Quản trị viên", "Administrator"),
    Role.SUPERVISOR.value: ("Giám sát", "Supervisor"),
    Role.OFFICER.value: ("Cán bộ một cửa", "Counter officer"),
    Role.TECHNICIAN.value: ("Kỹ thuật viên", "Technician"),
}
PASSWORD_HINT = (
    f"Ít nhất {password_policy.MIN_LENGTH} ký tự, ít nhất {password_policy.MIN_DISTINCT} "
    "ký tự khác nhau; không chứa tên đăng nhập, không phải mật khẩu phổ biến "
    "(ví dụ 1234567890, matkhau123). Một câu dễ nhớ là tốt nhất.",
    f"At least {password_policy.MIN_LENGTH} characters, {password_policy.MIN_DISTINCT} of them "
    "different; not containing the user name, not a common password "
    "(such as 1234567890, matkhau123). A phrase you remember is best.",
)


@bp.get("/users")
def users() -> str:
    runtime = current_runtime()
    here = site_id()
    with runtime.uow(readonly=True) as uow:
        return render_template(
            "admin_users.html",
            users=administration.list_users(uow, here),
            locked=administration.locked_users(uow, here, runtime.clock()),
            roles=ROLE_NAMES,
            hint=PASSWORD_HINT,
            min_length=password_policy.MIN_LENGTH,
            me=g.user.id,
        )


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
        return _back()

    def work(uow: UnitOfWork, site: Site, who: str, now: datetime) -> str:
        administration.add_user(
            uow, site.id or 0, body.username, Role(body.role), body.password, body.full_name,
            who, now,
        )
        return f"Đã tạo tài khoản {body.username}. / Account {body.username} created."

    return change(work, "admin.users")


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int) -> Response | str:
    who = form_text("username", 80)
    asked = confirm_first(
        f"Khóa tài khoản «{who}»? Mọi phiên đăng nhập của tài khoản này kết thúc ngay.",
        f"Disable the account «{who}»? All its sessions end at once.",
    )
    if asked is not None:
        return asked

    def work(uow: UnitOfWork, site: Site, actor: str, now: datetime) -> str:
        ended = administration.set_user_active(
            uow, site.id or 0, user_id, False, actor, now, by_user_id=g.user.id
        )
        return (
            f"Đã khóa tài khoản; {ended} phiên đăng nhập bị thu hồi. / "
            f"Account disabled; {ended} tokens revoked."
        )

    return change(work, "admin.users")


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int) -> Response:
    def work(uow: UnitOfWork, site: Site, actor: str, now: datetime) -> str:
        administration.set_user_active(uow, site.id or 0, user_id, True, actor, now)
        return "Đã mở lại tài khoản. / Account enabled."

    return change(work, "admin.users")


@bp.post("/users/<int:user_id>/unlock")
def unlock_user(user_id: int) -> Response:
    def work(uow: UnitOfWork, site: Site, actor: str, now: datetime) -> str:
        administration.unlock_user(uow, site.id or 0, user_id, actor, now)
        return "Đã gỡ khóa đăng nhập. / Sign-in lock lifted."

    return change(work, "admin.users")


@bp.post("/users/<int:user_id>/sign-out")
def sign_out_user(user_id: int) -> Response | str:
    who = form_text("username", 80)
    asked = confirm_first(
        f"Thu hồi mọi mã đăng nhập của «{who}»? Người dùng phải đăng nhập lại trên mọi thiết bị.",
        f"Revoke every token of «{who}»? They must sign in again on every device.",
    )
    if asked is not None:
        return asked

    def work(uow: UnitOfWork, site: Site, actor: str, now: datetime) -> str:
        ended = administration.end_user_tokens(uow, site.id or 0, user_id, actor, now)
        return f"Đã thu hồi {ended} phiên đăng nhập. / {ended} tokens revoked."

    return change(work, "admin.users")


@bp.post("/users/<int:user_id>/password")
def change_password(user_id: int) -> Response:
    body = validated(NewPassword, {"password": request.form.get("password", "")})
    if body is None:
        return _back()

    def work(uow: UnitOfWork, site: Site, actor: str, now: datetime) -> str:
        ended = administration.set_password(
            uow, site.id or 0, user_id, body.password, actor, now
        )
        return (
            f"Đã đặt mật khẩu mới; {ended} phiên đăng nhập cũ bị thu hồi. / "
            f"Password reset; {ended} old tokens revoked."
        )

    return change(work, "admin.users")


def _back() -> Response:
    return redirect(url_for("admin.users"))
