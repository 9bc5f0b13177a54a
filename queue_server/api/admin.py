"""Accounts and device tokens, for administrators."""

from __future__ import annotations

from typing import Any, Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from queue_server.api.blueprint import bp
from queue_server.api.context import actor, current_site, site_ref
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.services import administration
from queue_server.services.auth import DeviceKind, Permission, Role
from queue_server.services.site_ref import run_step


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9._-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Literal["admin", "technician", "supervisor", "officer"]
    full_name: str = Field("", max_length=200)


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=8, max_length=200)


class NewDeviceToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["kiosk", "board", "rating", "counter"]
    name: str = Field(min_length=1, max_length=120)
    counter: int | None = Field(None, ge=1, le=999, description="counter number")


def _admin_route(rule: str, method: str, summary: str, **options: Any) -> Any:
    return endpoint(
        bp, rule, method, summary=summary, tag="admin", permission=Permission.ADMIN, **options
    )


@_admin_route("/users", "GET", "Accounts of the centre")
def list_users() -> Any:
    with current_runtime().uow(readonly=True) as uow:
        return jsonify(users=administration.list_users(uow, current_site(uow).id or 0))


@_admin_route("/users", "POST", "Create an account", body=NewUser, responses={201: "Created"})
def create_user(body: NewUser) -> Any:
    runtime = current_runtime()
    user_id = run_step(
        runtime.uow,
        site_ref(),
        administration.add_user,
        body.username,
        Role(body.role),
        body.password,
        body.full_name,
        actor().label,
        runtime.clock(),
    )
    return jsonify(id=user_id, username=body.username, role=body.role), 201


@_admin_route(
    "/users/<int:user_id>/disable",
    "POST",
    "Disable an account and end all its tokens and sessions at once",
    responses={200: "Disabled; how many tokens ended"},
)
def disable_user(user_id: int) -> Any:
    runtime = current_runtime()
    who = actor()
    ended = run_step(
        runtime.uow,
        site_ref(),
        administration.set_user_active,
        user_id,
        False,
        who.label,
        runtime.clock(),
        by_user_id=who.user_id,
    )
    return jsonify(id=user_id, active=False, tokens_revoked=ended)


@_admin_route("/users/<int:user_id>/enable", "POST", "Let a disabled account sign in again")
def enable_user(user_id: int) -> Any:
    runtime = current_runtime()
    run_step(
        runtime.uow,
        site_ref(),
        administration.set_user_active,
        user_id,
        True,
        actor().label,
        runtime.clock(),
    )
    return jsonify(id=user_id, active=True)


@_admin_route(
    "/users/<int:user_id>/revoke-tokens",
    "POST",
    "Sign a user out everywhere: every token and session ends",
    responses={200: "How many tokens ended"},
)
def revoke_user_tokens(user_id: int) -> Any:
    runtime = current_runtime()
    ended = run_step(
        runtime.uow,
        site_ref(),
        administration.end_user_tokens,
        user_id,
        actor().label,
        runtime.clock(),
    )
    return jsonify(id=user_id, tokens_revoked=ended)


@_admin_route(
    "/users/<int:user_id>/password",
    "PUT",
    "Set a new password; the user's tokens and sessions end",
    body=NewPassword,
    responses={200: "Changed; how many tokens ended"},
)
def set_password(user_id: int, body: NewPassword) -> Any:
    runtime = current_runtime()
    ended = run_step(
        runtime.uow,
        site_ref(),
        administration.set_password,
        user_id,
        body.password,
        actor().label,
        runtime.clock(),
    )
    return jsonify(id=user_id, tokens_revoked=ended)


@_admin_route("/tokens", "GET", "Device tokens (never the tokens themselves)")
def list_tokens() -> Any:
    with current_runtime().uow(readonly=True) as uow:
        return jsonify(tokens=administration.list_device_tokens(uow, current_site(uow).id or 0))


@_admin_route(
    "/tokens",
    "POST",
    "Issue a device token, shown only in this answer",
    body=NewDeviceToken,
    responses={201: "The token"},
)
def create_device_token(body: NewDeviceToken) -> Any:
    runtime = current_runtime()
    token = run_step(
        runtime.uow,
        site_ref(),
        administration.add_device_token,
        DeviceKind(body.kind),
        body.name,
        body.counter,
        actor().label,
        runtime.clock(),
    )
    return jsonify(token=token, kind=body.kind, name=body.name), 201


@_admin_route(
    "/tokens/<int:token_id>/revoke", "POST", "Revoke a device token", responses={204: "Revoked"}
)
def revoke_device_token(token_id: int) -> Any:
    runtime = current_runtime()
    run_step(
        runtime.uow,
        site_ref(),
        administration.revoke_device_token,
        token_id,
        actor().label,
        runtime.clock(),
    )
    return "", 204
