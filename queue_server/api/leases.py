"""Number blocks for kiosks: lease numbers ahead, hand over tickets issued offline.

Only kiosks lease blocks: a block lets its holder queue tickets with their own
issue time, which no staff account needs (they issue online)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.api.blueprint import bp
from queue_server.api.context import kiosk, site_ref
from queue_server.api.errors import ApiError
from queue_server.api.schemas import RequestKey
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.model import Site
from queue_server.services.auth import Permission
from queue_server.services.leases import MAX_BLOCK, lease_block, sync_offline_ticket
from queue_server.services.site_ref import run_with_site


class LeaseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: str = Field(min_length=1, max_length=40)
    count: int = Field(ge=1, le=MAX_BLOCK)


class OfflineTicketBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seq: int = Field(ge=1)
    issued_at: str = Field(min_length=10, max_length=40, description="ISO 8601 with offset")
    priority: str | None = Field(None, max_length=30)
    dossier_code: str | None = Field(None, max_length=80)
    #: The key of the online request this kiosk gave up on before taking this number:
    #: its ticket, if the server issued one and it still waits, is nobody's.
    replaces: RequestKey | None = None


class _Moment(BaseModel):
    at: AwareDatetime


def _parse_moment(text: str) -> datetime:
    """Bodies are validated strictly (no str→datetime coercion): parse the time here."""
    try:
        return _Moment.model_validate({"at": text}).at
    except ValidationError:
        raise ApiError(
            "issued_at must be an ISO 8601 time with its UTC offset.",
            "Thời điểm cấp số phải theo ISO 8601 và có múi giờ.",
            details=[{"field": "issued_at", "problem": "not an aware ISO 8601 time"}],
        ) from None


def _kiosk() -> str:
    """The calling kiosk's label; any other caller is refused."""
    return kiosk(
        "Only a kiosk leases number blocks and hands over the tickets issued from them.",
        "Chỉ ki-ốt mới được nhận dải số và gửi lại các số đã cấp từ dải số đó.",
    ).label


@endpoint(
    bp,
    "/number-blocks",
    "POST",
    summary="Lease a block of today's numbers to this kiosk for offline issuing",
    tag="kiosk",
    permission=Permission.ISSUE,
    body=LeaseBody,
    responses={201: "The block: first and last sequence number, prefix, day"},
)
def create_block(body: LeaseBody) -> Any:
    runtime = current_runtime()
    kiosk = _kiosk()
    now = runtime.clock()
    view = run_with_site(
        runtime.uow,
        site_ref(),
        lambda uow, site: lease_block(uow, site, body.service, body.count, kiosk, now),
    )
    return jsonify(view), 201


@endpoint(
    bp,
    "/number-blocks/<int:block_id>/tickets",
    "POST",
    summary="Queue a ticket this kiosk issued offline from its block (idempotent)",
    tag="kiosk",
    permission=Permission.ISSUE,
    body=OfflineTicketBody,
    responses={201: "Queued now", 200: "Already queued earlier"},
)
def hand_over_ticket(block_id: int, body: OfflineTicketBody) -> Any:
    runtime = current_runtime()
    kiosk = _kiosk()
    issued_at = _parse_moment(body.issued_at)
    now = runtime.clock()

    def hand_over(uow: UnitOfWork, site: Site) -> tuple[dict[str, Any], bool]:
        return sync_offline_ticket(
            uow,
            site,
            block_id,
            body.seq,
            issued_at,
            body.priority,
            body.dossier_code,
            kiosk,
            now,
            runtime.settings.wait_sample,
            replaces=body.replaces,
        )

    view, created = run_with_site(runtime.uow, site_ref(), hand_over)
    return jsonify(view), 201 if created else 200
