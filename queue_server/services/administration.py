"""What an administrator changes: accounts, device tokens, the centre's texts and
services. Shared by the admin API and the admin pages; every change is an event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from device_kit.contract.events import EventKind
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import NotFound, QueueError
from queue_server.queueing.hours import OpeningHours
from queue_server.queueing.model import Counter, Service, Site
from queue_server.services.auth import (
    DeviceKind,
    Role,
    change_password,
    create_user,
    issue_token,
    revoke_user_tokens,
)
from queue_server.services.sign_in_guard import account_locked_until, unlock_account
from queue_server.services.site_config import (
    CounterSection,
    ServiceSection,
    configure_counter,
    configure_service,
)

SITE_FIELDS = ("name_vi", "name_en", "hotline", "ticker_vi", "ticker_en")
#: How the hall boards read numbers (an admin or a technician sets them).
VOICE_FIELDS = ("announcement_mode", "announcement_variant")


class AlreadyExists(QueueError):
    code = "already_exists"
    status = 409


def list_users(uow: UnitOfWork, site_id: int) -> list[dict[str, Any]]:
    rows = uow.accounts.users_of_site(site_id)
    return [
        {
            "id": row.id,
            "username": row.username,
            "full_name": row.full_name,
            "role": row.role,
            "active": row.active,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]


def add_user(
    uow: UnitOfWork,
    site_id: int,
    username: str,
    role: Role,
    password: str,
    full_name: str,
    actor: str,
    now: datetime,
) -> int:
    """A new account; an existing user name is refused, never overwritten."""
    if uow.accounts.user_id(username) is not None:
        raise AlreadyExists(
            f"The user name {username!r} is taken.", f"Tên đăng nhập «{username}» đã có."
        )
    user_id = create_user(uow, site_id, username, role, password, now, full_name)
    _record(uow, site_id, actor, now, {"user_added": username, "role": role.value})
    return user_id


def set_user_active(
    uow: UnitOfWork, site_id: int, user_id: int, active: bool, actor: str, now: datetime,
    *, by_user_id: int | None = None,
) -> int:
    """Disable an account and end all its tokens and page sessions in one step (or
    enable it again: it then signs in afresh). Returns how many tokens were ended.

    An admin cannot disable their own account, so a centre is never left without one
    by a slip of the mouse.
    """
    username = _user(uow, site_id, user_id)
    if not active and user_id == by_user_id:
        raise QueueError(
            "You cannot disable your own account.", "Không thể tự khóa tài khoản của mình."
        )
    uow.accounts.set_active(user_id, active)
    ended = 0 if active else revoke_user_tokens(uow, user_id, now)
    change = "user_disabled" if not active else "user_enabled"
    _record(uow, site_id, actor, now, {change: username, "tokens_revoked": ended})
    return ended


def end_user_tokens(
    uow: UnitOfWork, site_id: int, user_id: int, actor: str, now: datetime
) -> int:
    """Sign a user out everywhere (a lost phone, a shared password): every token and
    page session ends; the account stays usable. Returns how many were live."""
    username = _user(uow, site_id, user_id)
    ended = revoke_user_tokens(uow, user_id, now)
    _record(uow, site_id, actor, now, {"user_tokens_revoked": username, "count": ended})
    return ended


def unlock_user(
    uow: UnitOfWork, site_id: int, user_id: int, actor: str, now: datetime
) -> None:
    """Lift a sign-in lockout before it runs out (the officer mistyped, then called)."""
    username = _user(uow, site_id, user_id)
    unlock_account(uow, site_id, username, now)
    _record(uow, site_id, actor, now, {"user_unlocked": username})


def locked_users(uow: UnitOfWork, site_id: int, now: datetime) -> dict[int, datetime]:
    """Accounts of the site locked out of signing in now, with when the lock ends."""
    ends = {
        row.id: account_locked_until(uow, row.username, now)
        for row in uow.accounts.users_of_site(site_id)
    }
    return {user_id: end for user_id, end in ends.items() if end is not None}


def set_password(
    uow: UnitOfWork, site_id: int, user_id: int, password: str, actor: str, now: datetime
) -> int:
    """A new password for an account; whoever held the old one is signed out
    everywhere. Returns how many tokens were ended."""
    username = _user(uow, site_id, user_id)
    ended = change_password(uow, user_id, username, password, now)
    _record(uow, site_id, actor, now, {"password_changed": username, "tokens_revoked": ended})
    return ended


def _user(uow: UnitOfWork, site_id: int, user_id: int) -> str:
    """The user name of an account of this site (or of none), else NotFound."""
    username = uow.accounts.username(site_id, user_id)
    if username is None:
        raise NotFound("No such account.", "Không có tài khoản này.")
    return username


def list_device_tokens(uow: UnitOfWork, site_id: int) -> list[dict[str, Any]]:
    """Device tokens by name and state; the tokens themselves are never stored."""
    rows = uow.accounts.device_tokens(site_id)
    counters = {c.id: c.number for c in uow.repo.counters(site_id)}
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "name": row.name,
            "counter": counters.get(row.counter_id),
            "created_at": row.created_at.isoformat(),
            "revoked": row.revoked_at is not None,
        }
        for row in rows
    ]


def add_device_token(
    uow: UnitOfWork,
    site_id: int,
    kind: DeviceKind,
    name: str,
    counter_number: int | None,
    actor: str,
    now: datetime,
) -> str:
    """A token for a kiosk, board, rating terminal or counter keypad; returned once."""
    counter_id = None
    if counter_number is not None:
        counter_id = uow.repo.counter_by_number(site_id, counter_number).id
    if kind is DeviceKind.COUNTER and counter_id is None:
        raise QueueError("A counter device needs its counter number.", "Thiết bị quầy cần số quầy.")
    token = issue_token(
        uow, site_id=site_id, kind=kind.value, name=name, now=now, counter_id=counter_id
    )
    _record(uow, site_id, actor, now, {"token_added": name, "kind": kind.value})
    return token


def revoke_device_token(
    uow: UnitOfWork, site_id: int, token_id: int, actor: str, now: datetime
) -> None:
    if not uow.accounts.revoke_device_token(site_id, token_id, now):
        raise NotFound("No such active device token.", "Không có mã thiết bị đang hiệu lực này.")
    _record(uow, site_id, actor, now, {"token_revoked": token_id})


def update_site(
    uow: UnitOfWork, site: Site, changes: dict[str, Any], actor: str, now: datetime
) -> Site:
    """Edit the centre's texts; returns the site as changed."""
    # The row itself: ``site`` may be the request's read-only copy (``site_copy``).
    row = uow.repo.site_by_id(site.id or 0)
    for key, value in changes.items():
        setattr(row, key, value)
    uow.record(
        site_id=site.id, kind=EventKind.CONFIG_CHANGED, actor=actor, at=now,
        payload={"site": changes},
    )
    return row


def update_service(
    uow: UnitOfWork, site: Site, code: str, changes: dict[str, Any], actor: str, now: datetime
) -> Service:
    """Edit a service; opening hours are checked before anything changes."""
    fields = dict(changes)
    if "hours" in fields:
        OpeningHours.parse(fields["hours"])
        fields["hours_spec"] = fields.pop("hours")
    service = uow.repo.service(site.id or 0, code)
    prefix = fields.get("prefix")
    if prefix and any(
        other.prefix == prefix and other.code != code for other in uow.repo.services(site.id or 0)
    ):
        raise AlreadyExists(
            f"The ticket prefix {prefix} is taken.", f"Ký hiệu số thứ tự {prefix} đã được dùng."
        )
    for key, value in fields.items():
        setattr(service, key, value)
    uow.record(
        site_id=site.id,
        kind=EventKind.CONFIG_CHANGED,
        actor=actor,
        at=now,
        service_id=service.id,
        payload={"service": code, "changes": changes},
    )
    return service


def add_service(
    uow: UnitOfWork, site: Site, section: ServiceSection, actor: str, now: datetime
) -> Service:
    """A new service from the admin page. Unlike the API's create-or-replace, a code or
    ticket prefix already in use is refused: a typo must not overwrite a service."""
    for other in uow.repo.services(site.id or 0):
        if other.code == section.code:
            raise AlreadyExists(
                f"The service code {section.code} is taken.",
                f"Mã dịch vụ {section.code} đã có.",
            )
        if other.prefix == section.prefix:
            raise AlreadyExists(
                f"The ticket prefix {section.prefix} is taken.",
                f"Ký hiệu số thứ tự {section.prefix} đã được dùng.",
            )
    return configure_service(uow, site, section, actor, now)


def add_counter(
    uow: UnitOfWork, site: Site, section: CounterSection, actor: str, now: datetime
) -> Counter:
    """A new counter from the admin page; a number already in use is refused."""
    if uow.repo.find_counter(site.id or 0, section.number) is not None:
        raise AlreadyExists(
            f"Counter {section.number} exists.", f"Quầy số {section.number} đã có."
        )
    return configure_counter(uow, site, section, actor, now)


def set_counter_retired(
    uow: UnitOfWork, site: Site, number: int, retired: bool, actor: str, now: datetime
) -> None:
    """Retire a counter (refused while it holds a visitor) or bring it back; its device
    tokens stay, and work again once it is back."""
    found = uow.repo.counter_by_number(site.id or 0, number)
    counter = uow.repo.counter(site.id or 0, found.id or 0, lock=True)
    if retired:
        counter.current_ticket_id = _held_ticket(uow, counter)
        counter.retire()
    else:
        counter.reinstate()
    uow.record(
        site_id=site.id,
        kind=EventKind.CONFIG_CHANGED,
        actor=actor,
        at=now,
        counter_id=counter.id,
        payload={"counter": number, "retired": retired},
    )


def _held_ticket(uow: UnitOfWork, counter: Counter) -> int | None:
    current = uow.repo.current_ticket(counter)
    return current.id if current is not None else None


def _record(
    uow: UnitOfWork, site_id: int, actor: str, now: datetime, payload: dict[str, Any]
) -> None:
    """Account and token changes go to the log as ``accounts.changed``: the public
    stream carries only floor events, so staff names never reach a board."""
    uow.record(
        site_id=site_id, kind=EventKind.ACCOUNTS_CHANGED, actor=actor, at=now, payload=payload
    )
