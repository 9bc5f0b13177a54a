"""The device fleet: pairing by a one-time code, configuration kept on the server,
heartbeats, and which devices need a technician.

Pairing: the device makes a secret token, sends only its SHA-256 digest and gets
a six-digit code to show on screen; a technician types that code in the admin
tools, which turns the digest into an active device token. The secret never
leaves the device and the server never holds it.

Configuration changes are announced on the public event stream as
``config.device`` with only the device name and revision; the device then pulls
its configuration with its own token, so nothing private rides the stream.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from queue_server.adapters.tables import api_tokens, devices, pairing_codes
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import NotFound, QueueError
from queue_server.services.administration import AlreadyExists
from queue_server.services.auth import DeviceKind, Principal

PAIRING_TTL = timedelta(minutes=10)
MAX_OPEN_CODES = 50
#: A device that has not reported for this long is flagged silent (heartbeat: 30 s).
SILENT_AFTER = timedelta(seconds=90)
HEALTHY = frozenset({"ok", ""})


class TooManyPairings(QueueError):
    code = "too_many_pairings"
    status = 429
    message = "Too many devices are waiting to be paired; try again later."
    message_vi = "Quá nhiều thiết bị đang chờ ghép nối; hãy thử lại sau."


def request_pairing(
    uow: UnitOfWork, site_id: int, kind: DeviceKind, hardware: str, token_hash: str,
    now: datetime,
) -> dict[str, Any]:
    """A fresh code for a device to show; unique among the site's open codes."""
    open_codes = set(
        uow.session.execute(
            select(pairing_codes.c.code).where(
                pairing_codes.c.site_id == site_id,
                pairing_codes.c.device_id.is_(None),
                pairing_codes.c.expires_at > now,
            )
        ).scalars()
    )
    if len(open_codes) >= MAX_OPEN_CODES:
        raise TooManyPairings()
    code = f"{secrets.randbelow(1_000_000):06d}"
    while code in open_codes:
        code = f"{secrets.randbelow(1_000_000):06d}"
    uow.session.execute(
        insert(pairing_codes).values(
            site_id=site_id, code=code, kind=kind.value, hardware=hardware,
            token_hash=token_hash, created_at=now, expires_at=now + PAIRING_TTL,
        )
    )
    return {"code": code, "expires_at": (now + PAIRING_TTL).isoformat()}


def confirm_pairing(
    uow: UnitOfWork, site_id: int, code: str, name: str, counter_number: int | None,
    actor: str, now: datetime,
) -> dict[str, Any]:
    """Bind the device showing ``code`` under ``name``; its token works from now on."""
    pending = uow.session.execute(
        select(pairing_codes).where(
            pairing_codes.c.site_id == site_id,
            pairing_codes.c.code == code,
            pairing_codes.c.device_id.is_(None),
            pairing_codes.c.expires_at > now,
        )
    ).first()
    if pending is None:
        raise NotFound(
            "No device is waiting with this code (it lasts 10 minutes).",
            "Không có thiết bị nào đang chờ với mã này (mã có hiệu lực 10 phút).",
        )
    taken = uow.session.execute(
        select(devices.c.id).where(devices.c.site_id == site_id, devices.c.name == name)
    ).first()
    if taken is not None:
        raise AlreadyExists(f"A device is already named {name!r}.", f"Đã có thiết bị «{name}».")
    counter_id = None
    if counter_number is not None:
        match = [c.id for c in uow.repo.counters(site_id) if c.number == counter_number]
        if not match:
            raise NotFound(
                f"There is no counter {counter_number}.", f"Không có quầy {counter_number}."
            )
        counter_id = match[0]
    token_id = uow.session.execute(
        insert(api_tokens).values(
            site_id=site_id, kind=pending.kind, name=name, token_hash=pending.token_hash,
            counter_id=counter_id, created_at=now,
        )
    ).inserted_primary_key[0]
    config = {"counter": counter_number} if counter_number is not None else {}
    device_id = uow.session.execute(
        insert(devices).values(
            site_id=site_id, kind=pending.kind, name=name, token_id=token_id,
            hardware=pending.hardware, config=json.dumps(config), config_revision=1,
            health="{}", paired_at=now,
        )
    ).inserted_primary_key[0]
    uow.session.execute(
        update(pairing_codes).where(pairing_codes.c.id == pending.id).values(device_id=device_id)
    )
    uow.record(
        site_id=site_id, kind="accounts.changed", actor=actor, at=now,
        payload={"device_paired": name, "kind": pending.kind, "hardware": pending.hardware},
    )
    return {"id": device_id, "name": name, "kind": pending.kind, "config": config}


def set_config(
    uow: UnitOfWork, site_id: int, device_id: int, config: dict[str, Any], actor: str,
    now: datetime,
) -> int:
    """Replace a device's configuration; returns the new revision, announced on the stream."""
    row = _device(uow, site_id, devices.c.id == device_id)
    revision = row.config_revision + 1
    uow.session.execute(
        update(devices).where(devices.c.id == row.id)
        .values(config=json.dumps(config, ensure_ascii=False), config_revision=revision)
    )
    # What changed goes to the (private) log; the public stream only says "pull again".
    uow.record(
        site_id=site_id, kind="devices.configured", actor=actor, at=now,
        payload={"device": row.name, "revision": revision, "config": config},
    )
    uow.record(
        site_id=site_id, kind="config.device", actor=actor, at=now,
        payload={"device": row.name, "revision": revision},
    )
    return revision


def own_device(uow: UnitOfWork, who: Principal) -> dict[str, Any]:
    """What a paired device pulls: its name, kind, configuration and revision."""
    row = _device(uow, who.site_id, devices.c.name == who.name)
    return {
        "id": row.id, "name": row.name, "kind": row.kind,
        "config": json.loads(row.config), "revision": row.config_revision,
    }


def heartbeat(uow: UnitOfWork, who: Principal, health: dict[str, Any], now: datetime) -> None:
    row = _device(uow, who.site_id, devices.c.name == who.name)
    uow.session.execute(
        update(devices).where(devices.c.id == row.id)
        .values(last_seen_at=now, health=json.dumps(health, ensure_ascii=False))
    )


def fleet(uow: UnitOfWork, site_id: int, now: datetime) -> list[dict[str, Any]]:
    """Every paired device with a ``status``: ok, silent, unhealthy or never_seen."""
    rows = uow.session.execute(
        select(devices, api_tokens.c.revoked_at)
        .join(api_tokens, api_tokens.c.id == devices.c.token_id)
        .where(devices.c.site_id == site_id)
        .order_by(devices.c.kind, devices.c.name)
    ).all()
    return [_fleet_entry(row, now) for row in rows if row.revoked_at is None]


def _fleet_entry(row: Any, now: datetime) -> dict[str, Any]:
    health = json.loads(row.health)
    problems = sorted(
        key for key in ("printer", "scanner", "camera", "serial")
        if str(health.get(key, "")) not in HEALTHY
    )
    if row.last_seen_at is None:
        status = "never_seen"
    elif now - row.last_seen_at > SILENT_AFTER:
        status = "silent"
    elif problems:
        status = "unhealthy"
    else:
        status = "ok"
    return {
        "id": row.id, "name": row.name, "kind": row.kind, "hardware": row.hardware,
        "status": status, "problems": problems, "health": health,
        "last_seen_at": row.last_seen_at.isoformat() if row.last_seen_at else None,
        "config_revision": row.config_revision,
    }


def _device(uow: UnitOfWork, site_id: int, which: Any) -> Any:
    row = uow.session.execute(
        select(devices).where(devices.c.site_id == site_id, which)
    ).first()
    if row is None:
        raise NotFound("No such paired device.", "Không có thiết bị đã ghép nối này.")
    return row
