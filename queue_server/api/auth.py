"""Signing in: a user name and password for a bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import jsonify

from queue_server.api.blueprint import bp
from queue_server.api.context import bearer_token, current_site, principal
from queue_server.api.schemas import TokenRequest
from queue_server.api.spec import endpoint
from queue_server.runtime import current_runtime
from queue_server.security import client_address
from queue_server.services.auth import AuthError, issue_token, revoke_token
from queue_server.services.sign_in_guard import guarded_sign_in


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
    with runtime.uow() as uow:
        site = current_site(uow)
        user_id, user_site, role = guarded_sign_in(
            uow, body.username, body.password, address=client_address(), site_id=site.id, now=now
        )
        if user_site is not None and user_site != site.id:
            raise AuthError(
                "This account belongs to another centre.", "Tài khoản thuộc trung tâm khác."
            )
        token = issue_token(
            uow,
            site_id=site.id or 0,
            kind="user",
            name=body.username,
            now=now,
            user_id=user_id,
            lifetime=lifetime,
        )
        uow.commit()
    return jsonify(
        token=token, role=role, site=site.code, expires_at=(now + lifetime).isoformat()
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
    with runtime.uow() as uow:
        revoke_token(uow, token, runtime.clock())
        uow.commit()
    return "", 204
