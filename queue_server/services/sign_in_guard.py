"""Sign-in with brute-force protection: every attempt is stored, and an account
(or an address) with too many recent failures is refused for a while without
its password even being checked.

Attempts live in the database rather than in process memory so that every
server worker, and a restarted server, sees the same count. Counting and checking
are one step per account: the account's row is held from the count until the
attempt is recorded, so parallel guesses cannot all slip past the count.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from queue_server.adapters.account_repository import Failures
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import QueueError
from queue_server.services.auth import AuthError, issue_token, sign_in
from queue_server.services.site_ref import SiteRef
from queue_server.services.unit_of_work import UnitOfWorkFactory, run

#: The outcome an administrator's unlock records, and the address it is recorded from.
UNLOCKED = "unlocked"
UNLOCK_ADDRESS = "admin"


@dataclass(frozen=True)
class LockoutPolicy:
    #: Failures of one account, since its last success, within ``window``.
    account_failures: int = 5
    #: Failures from one address (any account) within ``window``: password spraying.
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    #: How long after the last failure the lock lasts.
    lockout: timedelta = timedelta(minutes=15)


class SignInLocked(QueueError):
    code = "locked"
    status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"Too many failed sign-ins; try again in {minutes} minutes.",
            f"Đăng nhập sai quá nhiều lần; tạm khóa, hãy thử lại sau {minutes} phút.",
        )


def guarded_sign_in(
    uow: UnitOfWork,
    username: str,
    password: str,
    *,
    address: str,
    site_id: int | None,
    now: datetime,
    policy: LockoutPolicy | None = None,
) -> tuple[int, int | None, str]:
    """Like :func:`sign_in`, but refuses locked accounts and addresses and records the
    attempt. A refusal or failure is committed before raising; a success is recorded in
    the caller's transaction, which issues the token."""
    policy = policy or LockoutPolicy()
    _hold_account(uow, username)
    until = locked_until(uow, username, address, now, policy)
    if until is not None:
        _record(uow, site_id, username, address, now, "locked")
        uow.commit()
        raise SignInLocked(math.ceil((until - now).total_seconds() / 60))
    try:
        result = sign_in(uow, username, password)
    except AuthError:
        _record(uow, site_id, username, address, now, "failed")
        uow.commit()
        raise
    _record(uow, site_id, username, address, now, "ok")
    return result



@dataclass(frozen=True)
class SignedIn:
    token: str
    role: str
    site_code: str


def open_token(
    uows: UnitOfWorkFactory,
    site: SiteRef,
    username: str,
    password: str,
    *,
    address: str,
    now: datetime,
    kind: str,
    lifetime: timedelta,
    roles: Collection[str] | None = None,
    any_site: bool = False,
) -> SignedIn:
    """The sign-in use case: a guarded sign-in at ``site`` that issues a token of
    ``kind``. An account of another centre is refused (its attempt with it), or with
    ``any_site`` gets a token of its own centre; one whose role is not in ``roles``
    is refused, its right password still audited."""

    def work(uow: UnitOfWork) -> SignedIn:
        here = site.load(uow)
        user_id, user_site, role = guarded_sign_in(
            uow, username, password, address=address, site_id=here.id, now=now
        )
        if user_site is not None and user_site != here.id and not any_site:
            raise AuthError(
                "This account belongs to another centre.", "Tài khoản thuộc trung tâm khác."
            )
        if roles is not None and role not in roles:
            uow.commit()
            raise AuthError(
                "Administrators and technicians only.",
                "Chỉ dành cho quản trị viên và kỹ thuật viên.",
            )
        token = issue_token(
            uow,
            site_id=user_site or here.id or 0,
            kind=kind,
            name=username,
            now=now,
            user_id=user_id,
            lifetime=lifetime,
        )
        return SignedIn(token, role, here.code)

    return run(uows, work)


def _hold_account(uow: UnitOfWork, username: str) -> None:
    """Lock the account's row until the attempt is committed (PostgreSQL; SQLite write
    transactions already run one at a time). An unknown name has no row and no
    password to find, so its attempts need no such order."""
    uow.accounts.hold_account(username)


def locked_until(
    uow: UnitOfWork, username: str, address: str, now: datetime, policy: LockoutPolicy
) -> datetime | None:
    """When the lock on this account or address ends, or None when there is none."""
    since = now - policy.window
    ends = [
        end
        for end in (
            account_locked_until(uow, username, now, policy),
            _lock_end(uow.accounts.failures_from_address(address, since), policy.address_failures,
                      now, policy),
        )
        if end is not None
    ]
    return max(ends) if ends else None


def account_locked_until(
    uow: UnitOfWork, username: str, now: datetime, policy: LockoutPolicy | None = None
) -> datetime | None:
    """When the lock on this account ends (None when it is not locked): failures count
    since the last success or administrator's unlock, whichever is later."""
    policy = policy or LockoutPolicy()
    since = now - policy.window
    reset = uow.accounts.last_success(username)
    failures = uow.accounts.failures_of_account(username, max(since, reset) if reset else since)
    return _lock_end(failures, policy.account_failures, now, policy)


def _lock_end(
    failures: Failures, limit: int, now: datetime, policy: LockoutPolicy
) -> datetime | None:
    newest = failures.newest
    if failures.count >= limit and newest is not None and newest + policy.lockout > now:
        return newest + policy.lockout
    return None


def unlock_account(uow: UnitOfWork, site_id: int, username: str, now: datetime) -> None:
    """An administrator lifts the account's lock: an ``unlocked`` attempt is a clean
    slate like a success (failures before it no longer count); the attempts stay for
    the audit log. A lock on an address (password spraying) is left alone."""
    _record(uow, site_id, username, UNLOCK_ADDRESS, now, UNLOCKED)


def _record(
    uow: UnitOfWork, site_id: int | None, username: str, address: str, now: datetime,
    outcome: str,
) -> None:
    uow.accounts.record_attempt(site_id, username, address, now, outcome)
