"""Token rotation: a new secret for the same caller, the old one revoked at once.

Used when a token may have leaked (a kiosk sent for repair, a screenshot of the
technician page) without re-pairing the device or signing the user out. A
rotated user token keeps its original expiry, so rotating never extends a session.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from device_kit.contract.events import EventKind
from queue_server.adapters.account_repository import TokenRecord
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import NotFound
from queue_server.services.auth import issue_token
from queue_server.services.site_ref import SiteRef
from queue_server.services.unit_of_work import UnitOfWorkFactory, run


class RotatedToken(TypedDict):
    """The new secret (shown once) and whose it is."""

    token: str
    name: str
    kind: str


def rotate_token(
    uow: UnitOfWork, row: TokenRecord | None, actor: str, now: datetime
) -> RotatedToken:
    """Revoke ``row``, a token not revoked found by the caller, unless it expired;
    return the new one and its owner."""
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        raise NotFound("No such active token.", "Không có mã truy cập đang hiệu lực này.")
    uow.accounts.revoke_token(row.id, now)
    token = issue_token(
        uow,
        site_id=row.site_id,
        kind=row.kind,
        name=row.name,
        now=now,
        user_id=row.user_id,
        counter_id=row.counter_id,
        lifetime=row.expires_at - now if row.expires_at else None,
    )
    uow.record(
        site_id=row.site_id,
        kind=EventKind.ACCOUNTS_CHANGED,
        actor=actor,
        at=now,
        payload={"token_rotated": row.name, "kind": row.kind},
    )
    return RotatedToken(token=token, name=row.name, kind=row.kind)


def rotate_own_token(
    uows: UnitOfWorkFactory, token_hash: str, actor: str, now: datetime
) -> RotatedToken:
    """The use case: the caller replaces the token it called with."""
    return run(uows, lambda uow: rotate_token(uow, uow.accounts.live_token(token_hash), actor, now))


def rotate_device_token(
    uows: UnitOfWorkFactory, site: SiteRef, token_id: int, actor: str, now: datetime
) -> RotatedToken:
    """The use case: an admin replaces one of the site's device tokens."""

    def work(uow: UnitOfWork) -> RotatedToken:
        row = uow.accounts.live_device_token(site.load(uow).id or 0, token_id)
        return rotate_token(uow, row, actor, now)

    return run(uows, work)
