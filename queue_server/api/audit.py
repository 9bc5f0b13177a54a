"""The audit log for administrators, and token rotation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from queue_server.api.blueprint import bp
from queue_server.api.context import actor, bearer_token, current_site, site_ref
from queue_server.api.errors import ApiError
from queue_server.api.spec import endpoint
from queue_server.audit import MAX_ROWS, AuditFilter, audit_entries, to_csv
from queue_server.flask_runtime import current_runtime
from queue_server.services import token_rotation
from queue_server.services.auth import Permission, hash_token
from queue_server.services.clock import at_site


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    since: datetime | None = Field(
        None, description="from this instant (ISO 8601; without an offset, the site's time)"
    )
    until: datetime | None = Field(
        None, description="before this instant (ISO 8601; without an offset, the site's time)"
    )
    kind: str = Field("", max_length=40, description="kind or its start, e.g. auth. or counter.")
    actor: str = Field("", max_length=120, description="part of the actor, e.g. user:lan")
    limit: int = Field(500, ge=1, le=MAX_ROWS)


def _instant(moment: datetime | None, timezone: str) -> datetime | None:
    if moment is None:
        return None
    try:
        return at_site(moment, timezone)
    except OverflowError:
        raise ApiError(
            "since and until must be dates between the years 1 and 9999.",
            "since và until phải là ngày trong khoảng năm 1 đến 9999.",
        ) from None


def _entries(query: AuditQuery) -> list[dict[str, Any]]:
    with current_runtime().uow(readonly=True) as uow:
        site = current_site(uow)
        wanted = AuditFilter(
            _instant(query.since, site.timezone),
            _instant(query.until, site.timezone),
            query.kind,
            query.actor,
            query.limit,
        )
        return audit_entries(uow, site.id or 0, wanted)


@endpoint(
    bp, "/audit", "GET", summary="Audit log, newest first", tag="audit",
    permission=Permission.ADMIN, query=AuditQuery,
)
def audit_log(query: AuditQuery) -> Any:
    entries = _entries(query)
    return jsonify(entries=[{**e, "at": e["at"].isoformat()} for e in entries])


@endpoint(
    bp, "/audit.csv", "GET", summary="Audit log as CSV (UTF-8, opens in Excel)", tag="audit",
    permission=Permission.ADMIN, query=AuditQuery,
)
def audit_csv(query: AuditQuery) -> Any:
    return Response(
        to_csv(_entries(query)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="nhat-ky-kiem-toan.csv"'},
    )


@endpoint(
    bp, "/auth/token/rotate", "POST", summary="Replace the token used by a new one",
    tag="auth", permission=Permission.READ, responses={201: "The new token; the old is revoked"},
)
def rotate_own_token() -> Any:
    runtime = current_runtime()
    rotated = token_rotation.rotate_own_token(
        runtime.uow, hash_token(bearer_token() or ""), actor().label, runtime.clock()
    )
    return jsonify(rotated), 201


@endpoint(
    bp, "/tokens/<int:token_id>/rotate", "POST", summary="Replace a device token by a new one",
    tag="admin", permission=Permission.ADMIN, responses={201: "The new token, shown once"},
)
def rotate_device_token(token_id: int) -> Any:
    runtime = current_runtime()
    rotated = token_rotation.rotate_device_token(
        runtime.uow, site_ref(), token_id, actor().label, runtime.clock()
    )
    return jsonify(rotated), 201
