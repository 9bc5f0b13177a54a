"""Signing in: a user name and password for a bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import jsonify

from queue_server.api.blueprint import bp
from queue_server.api.context import bearer_token, principal, site_ref
from queue_server.api.schemas import TokenRequest
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.security import client_address
from queue_server.services.auth import AuthError, revoke_token
from queue_server.services.sign_in_guard import open_token
from queue_server.services.unit_of_work import run


@endpoint(
    bp,
    "/auth/token",
    "POST",
    summary="Exchange a user name and password for a token",
    tag="auth",
    body=TokenRequest,
    responses={201: "A bearer token", 401: "Wrong name or password", 429: "Locked"},
)
def create_token(body: TokenRequest) -> Any:
    runtime = current_runtime()
    now = runtime.clock()
    lifetime = timedelta(hours=runtime.settings.user_token_hours)
    signed = open_token(
        runtime.uow,
        site_ref(),
        body.username,
        body.password,
        address=client_address(),
        now=now,
        kind="user",
        lifetime=lifetime,
    )
    return jsonify(
        token=signed.token,
        role=signed.role,
        site=signed.site_code,
        expires_at=(now + lifetime).isoformat(),
    ), 201


@endpoint(
    bp,
    "/auth/token",
    "DELETE",
    summary="Sign out: revoke the token used",
    tag="auth",
    responses={204: "Revoked"},
)
def delete_token() -> Any:
    token = bearer_token()
    if token is None or principal() is None:
        raise AuthError()
    runtime = current_runtime()
    run(runtime.uow, lambda uow: revoke_token(uow, token, runtime.clock()))
    return "", 204
