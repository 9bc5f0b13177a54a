"""The device fleet: pairing by a one-time code, configuration kept on the server,
heartbeats, and which devices need a technician.

Pairing: the device makes a secret token, sends only its SHA-256 digest and gets
a six-digit code to show on screen; a technician types that code in the admin
tools, which turns the digest into an active device token. The secret never
leaves the device and the server never holds it.

Configuration changes are announced on the public event stream as
``config.device`` with only the device name and revision, and every heartbeat
answer carries the revision too; the device then pulls its configuration with its
own token, so nothing private rides the stream. A change in what is failing on a
device (printer, scanner, camera, serial port) is a ``devices.health`` event.

A device is known by its token: one made by hand (``create-token``, the admin
page) joins the fleet at its first call, so every device in the hall is watched.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from device_kit.contract.events import EventKind
from queue_server.adapters.fleet_repository import DeviceRecord
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import NotFound, QueueError
from queue_server.services.administration import AlreadyExists, revoke_device_token
from queue_server.services.auth import DeviceKind, Forbidden

PAIRING_TTL = timedelta(minutes=10)
MAX_OPEN_CODES = 50
#: Codes one client address may ask for per ``PAIRING_TTL``: enough for a technician
#: pairing a room of devices behind one address, far too few to take ``MAX_OPEN_CODES``.
PAIRINGS_PER_ADDRESS = 10
#: A device that has not reported for this long is flagged silent (heartbeat: 30 s).
SILENT_AFTER = timedelta(seconds=90)
#: The longest name a device holds (``devices.name``).
NAME_MAX = 120
HEALTHY = frozenset({"ok", ""})
#: The parts a heartbeat reports on; any not in ``HEALTHY`` is a problem.
PARTS = ("printer", "scanner", "camera", "serial", "audio")
#: A device clock further off than this is a problem ("clock"): its tickets, logs and
#: certificate checks go wrong.
CLOCK_SKEW_LIMIT = timedelta(seconds=30)
#: Devices whose token is bound to the counter they serve.
COUNTER_BOUND = frozenset({DeviceKind.RATING.value, DeviceKind.COUNTER.value})
#: Fleet order: what needs a technician first.
_STATUS_ORDER = {"silent": 0, "unhealthy": 1, "never_seen": 2, "ok": 3}


class TooManyPairings(QueueError):
    code = "too_many_pairings"
    status = 429
    message = "Too many devices are waiting to be paired; try again later."
    message_vi = "Quá nhiều thiết bị đang chờ ghép nối; hãy thử lại sau."


class PairingThrottled(TooManyPairings):
    """One address asked for too many codes; ``retry_after_s`` goes into Retry-After."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"Too many pairing codes asked from this address; try again in {retry_after_s} s.",
            f"Địa chỉ này đã xin quá nhiều mã ghép nối; hãy thử lại sau {retry_after_s} giây.",
        )
        self.retry_after_s = retry_after_s


def request_pairing(
    uow: UnitOfWork, site_id: int, kind: DeviceKind, hardware: str, token_hash: str,
    now: datetime,
) -> dict[str, Any]:
    """A fresh code for a device to show; unique among the site's open codes."""
    open_codes = uow.fleet.open_codes(site_id, now)
    if len(open_codes) >= MAX_OPEN_CODES:
        raise TooManyPairings()
    code = f"{secrets.randbelow(1_000_000):06d}"
    while code in open_codes:
        code = f"{secrets.randbelow(1_000_000):06d}"
    uow.fleet.add_pairing_code(
        site_id, code, kind.value, hardware, token_hash, now, now + PAIRING_TTL
    )
    return {"code": code, "expires_at": (now + PAIRING_TTL).isoformat()}


def confirm_pairing(
    uow: UnitOfWork, site_id: int, code: str, name: str, counter_number: int | None,
    actor: str, now: datetime, *, may_bind: bool,
) -> dict[str, Any]:
    """Bind the device showing ``code`` under ``name``; its token works from now on.

    A counter keypad, or a rating terminal bound to a counter, acts at that counter:
    only a caller who ``may_bind`` (an admin, the server's own CLI) pairs one, so a
    technician cannot hand themselves counter or rating powers.
    """
    pending = uow.fleet.open_pairing(site_id, code, now)
    if pending is None:
        raise NotFound(
            "No device is waiting with this code (it lasts 10 minutes).",
            "Không có thiết bị nào đang chờ với mã này (mã có hiệu lực 10 phút).",
        )
    if not _free_name(uow, site_id, name):
        raise AlreadyExists(f"A device is already named {name!r}.", f"Đã có thiết bị «{name}».")
    counter_id = (
        None if counter_number is None else uow.repo.counter_by_number(site_id, counter_number).id
    )
    acts_at_counter = pending.kind == DeviceKind.COUNTER.value or (
        pending.kind in COUNTER_BOUND and counter_id is not None
    )
    if acts_at_counter and not may_bind:
        _refuse_binding(uow, site_id, name, pending.kind, counter_number, actor, now)
    token_id = uow.accounts.add_token(
        site_id, pending.kind, name, pending.token_hash, now, counter_id=counter_id
    )
    config = {"counter": counter_number} if counter_number is not None else {}
    device_id = uow.fleet.add_device(
        site_id, pending.kind, name, token_id, pending.hardware, config, now
    )
    uow.fleet.mark_paired(pending.id, device_id)
    uow.record(
        site_id=site_id, kind=EventKind.ACCOUNTS_CHANGED, actor=actor, at=now,
        payload={"device_paired": name, "kind": pending.kind, "hardware": pending.hardware},
    )
    return {"id": device_id, "name": name, "kind": pending.kind, "config": config}


def set_config(
    uow: UnitOfWork, site_id: int, device_id: int, config: dict[str, Any], actor: str,
    now: datetime, *, may_bind: bool,
) -> int:
    """Replace a device's configuration; returns the new revision, announced on the stream.

    The counter of a rating terminal or counter keypad is where its token acts (a
    terminal moved to another counter rates for that one), so it is rebound here too,
    and only by a caller who ``may_bind`` (see :func:`confirm_pairing`).
    """
    row = _device(uow, site_id, device_id)
    counter = config.get("counter")
    counter_id = None if counter is None else uow.repo.counter_by_number(site_id, counter).id
    if row.kind == DeviceKind.COUNTER.value and counter_id is None:
        raise QueueError("A counter device needs its counter number.", "Thiết bị quầy cần số quầy.")
    if row.kind in COUNTER_BOUND and counter_id is not None and not may_bind:
        if uow.accounts.token_counter(row.token_id) != counter_id:
            _refuse_binding(uow, site_id, row.name, row.kind, counter, actor, now)
    if row.kind in COUNTER_BOUND:
        uow.accounts.bind_counter(row.token_id, counter_id)
    revision = row.config_revision + 1
    uow.fleet.set_config(row.id, config, revision)
    # What changed goes to the (private) log; the public stream only says "pull again".
    uow.record(
        site_id=site_id, kind=EventKind.DEVICES_CONFIGURED, actor=actor, at=now,
        payload={"device": row.name, "revision": revision, "config": config},
    )
    uow.record(
        site_id=site_id, kind=EventKind.CONFIG_DEVICE, actor=actor, at=now,
        payload={"device": row.name, "revision": revision},
    )
    return revision


def revoke(uow: UnitOfWork, site_id: int, device_id: int, actor: str, now: datetime) -> None:
    """Take a device out of service: its token stops working and it leaves the fleet.

    Its name becomes free for the unit that replaces it (see ``_free_name``).
    """
    row = _device(uow, site_id, device_id)
    revoke_device_token(uow, site_id, row.token_id, actor, now)


def own_device(uow: UnitOfWork, site_id: int, token_hash: str, now: datetime) -> dict[str, Any]:
    """What a device pulls: its name, kind, configuration and revision."""
    row = _member(uow, site_id, token_hash, now)
    return {
        "id": row.id, "name": row.name, "kind": row.kind,
        "config": row.config, "revision": row.config_revision,
    }


def heartbeat(
    uow: UnitOfWork, site_id: int, token_hash: str, health: dict[str, Any], now: datetime
) -> int:
    """Note a device's health; returns its configuration revision, so a device that
    follows no stream learns of a change within one heartbeat.

    When the set of failing parts changes, ``devices.health`` tells the technician
    (on the stream and in the log) — once per change, not once per heartbeat. The
    device's ``clock`` is kept as its skew from the server's (``clock_skew_s``).
    """
    row = _member(uow, site_id, token_hash, now)
    clock = health.pop("clock", None)
    if clock is not None:
        health["clock_skew_s"] = round((clock - now).total_seconds(), 1)
    uow.fleet.record_health(row.id, health, now)
    problems = _problems(health)
    if problems != _problems(row.health):
        uow.record(
            site_id=site_id, kind=EventKind.DEVICES_HEALTH, actor=f"device:{row.name}", at=now,
            payload={
                "device": row.name, "kind": row.kind, "role": health.get("role", ""),
                "problems": problems, "health": health,
            },
        )
    return row.config_revision


def fleet(uow: UnitOfWork, site_id: int, now: datetime) -> list[dict[str, Any]]:
    """Every device in service with a ``status`` (ok, silent, unhealthy or never_seen),
    those that need a technician first."""
    entries = [_fleet_entry(row, now) for row in uow.fleet.devices_in_service(site_id)]
    return sorted(entries, key=lambda d: (_STATUS_ORDER[d["status"]], d["kind"], d["name"]))


def needs_attention(entries: list[dict[str, Any]]) -> int:
    """How many devices are silent or unhealthy (the fleet page's headline)."""
    return sum(1 for d in entries if d["status"] in ("silent", "unhealthy"))


def _problems(health: dict[str, Any]) -> list[str]:
    problems = [part for part in PARTS if str(health.get(part, "")) not in HEALTHY]
    if abs(float(health.get("clock_skew_s") or 0)) > CLOCK_SKEW_LIMIT.total_seconds():
        problems.append("clock")
    return problems


def _fleet_entry(row: DeviceRecord, now: datetime) -> dict[str, Any]:
    health = row.health
    problems = _problems(health)
    if row.last_seen_at is None:
        status = "never_seen"
    elif now - row.last_seen_at > SILENT_AFTER:
        status = "silent"
    elif problems:
        status = "unhealthy"
    else:
        status = "ok"
    return {
        "id": row.id, "name": row.name, "kind": row.kind, "role": health.get("role", ""),
        "hardware": row.hardware, "status": status, "problems": problems,
        "detail": health.get("detail", ""), "health": health,
        "version": health.get("version", ""), "uptime_s": health.get("uptime_s"),
        "clock_skew_s": health.get("clock_skew_s"),
        "last_seen_at": row.last_seen_at.isoformat() if row.last_seen_at else None,
        "config": row.config, "config_revision": row.config_revision,
    }


def _member(uow: UnitOfWork, site_id: int, token_hash: str, now: datetime) -> DeviceRecord:
    """The calling device's row. A device token made by hand (``create-token``, the
    admin page) joins the fleet on its first call, so every device is watched."""
    token = uow.accounts.device_token(site_id, token_hash)
    if token is None:
        raise NotFound("No such paired device.", "Không có thiết bị đã ghép nối này.")
    row = uow.fleet.device_of_token(token.id)
    if row is not None:
        return row
    name = token.name
    if not _free_name(uow, site_id, name):
        suffix = f"-{token.id}"
        name = name[: NAME_MAX - len(suffix)] + suffix
    numbers = {c.id: c.number for c in uow.repo.counters(site_id)}
    config = {"counter": numbers[token.counter_id]} if token.counter_id in numbers else {}
    device_id = uow.fleet.add_device(site_id, token.kind, name, token.id, "", config, now)
    return _device(uow, site_id, device_id)


def _refuse_binding(
    uow: UnitOfWork, site_id: int, name: str, kind: str, counter: int | None, actor: str,
    now: datetime,
) -> None:
    """Write the refused binding to the audit log, then refuse it."""
    uow.record(
        site_id=site_id, kind=EventKind.SECURITY_DEVICE_BINDING_REFUSED, actor=actor, at=now,
        payload={"device": name, "kind": kind, "counter": counter},
    )
    uow.commit()
    raise Forbidden(
        "Only an administrator binds a counter keypad or rating terminal to a counter.",
        "Chỉ quản trị viên mới được gắn bàn phím quầy hoặc máy đánh giá vào một quầy.",
    )


def _free_name(uow: UnitOfWork, site_id: int, name: str) -> bool:
    """Whether ``name`` can go to a new device; a revoked device gives its name up."""
    holder = uow.fleet.name_holder(site_id, name)
    if holder is None:
        return True
    if not holder.revoked:
        return False
    uow.fleet.remove_device(holder.device_id)
    return True


def _device(uow: UnitOfWork, site_id: int, device_id: int) -> DeviceRecord:
    """A device in service (its token not revoked)."""
    row = uow.fleet.device(site_id, device_id)
    if row is None:
        raise NotFound("No such paired device.", "Không có thiết bị đã ghép nối này.")
    return row
