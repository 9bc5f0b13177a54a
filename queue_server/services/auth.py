"""Users, roles, bearer tokens and what each kind of caller may do.

Passwords are hashed with argon2; tokens are random and stored only as their
SHA-256 digest, so a stolen database does not hand out working tokens.

A signed-in admin page holds a token too (kind ``session``), so a web session lives
on the server: signing out, a password change and disabling the account end it like
any of the user's bearer tokens. A session token is refused as a bearer token.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from queue_server.adapters.account_repository import Account, AccountStore, TokenHolder, UserRecord
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import QueueError
from queue_server.services.password_policy import check_password

_hasher = PasswordHasher()


class Role(enum.StrEnum):
    ADMIN = "admin"
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    OFFICER = "officer"


class DeviceKind(enum.StrEnum):
    KIOSK = "kiosk"
    BOARD = "board"
    RATING = "rating"
    COUNTER = "counter"


class Permission(enum.StrEnum):
    READ = "read"
    ISSUE = "issue"
    COUNTER = "counter"
    #: Pair devices and set their configuration (technicians and admins).
    DEVICES = "devices"
    #: Move an officer off a counter (supervisors and admins).
    SUPERVISE = "supervise"
    ADMIN = "admin"


_USER_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.TECHNICIAN: frozenset({Permission.READ, Permission.ISSUE, Permission.DEVICES}),
    Role.SUPERVISOR: frozenset({Permission.READ, Permission.SUPERVISE}),
    Role.OFFICER: frozenset({Permission.READ, Permission.COUNTER, Permission.ISSUE}),
}
_DEVICE_PERMISSIONS: dict[DeviceKind, frozenset[Permission]] = {
    DeviceKind.KIOSK: frozenset({Permission.READ, Permission.ISSUE}),
    DeviceKind.BOARD: frozenset({Permission.READ}),
    DeviceKind.RATING: frozenset({Permission.READ}),
    DeviceKind.COUNTER: frozenset({Permission.READ, Permission.COUNTER}),
}


class AuthError(QueueError):
    code = "unauthorized"
    status = 401
    message = "Sign in first: send a valid bearer token."
    message_vi = "Cần đăng nhập: hãy gửi mã truy cập hợp lệ."


class Forbidden(QueueError):
    code = "forbidden"
    status = 403
    message = "You may not do this."
    message_vi = "Bạn không có quyền thực hiện thao tác này."


@dataclass(frozen=True)
class Principal:
    """The caller behind a token."""

    site_id: int
    name: str
    permissions: frozenset[Permission]
    role: Role | None = None
    device: DeviceKind | None = None
    user_id: int | None = None
    counter_id: int | None = None

    @property
    def label(self) -> str:
        return f"user:{self.name}" if self.user_id else f"device:{self.name}"

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise Forbidden(
                f"{self.label} may not {permission} here.",
                "Tài khoản hoặc thiết bị này không có quyền thực hiện thao tác này.",
            )


#: The kind of the token behind an admin page session (never a bearer token).
SESSION_KIND = "session"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    uow: UnitOfWork,
    site_id: int | None,
    username: str,
    role: Role,
    password: str,
    now: datetime,
    full_name: str = "",
) -> int:
    check_password(password, username)
    existing = uow.accounts.user_id(username)
    account = Account(
        site_id=site_id,
        username=username,
        full_name=full_name,
        password_hash=_hasher.hash(password),
        role=role.value,
        active=True,
    )
    if existing is not None:
        # A reset password must lock out whoever held the old one: every token goes.
        uow.accounts.replace_user(existing, account)
        revoke_user_tokens(uow, existing, now)
        return existing
    return uow.accounts.add_user(account, now)


def issue_token(
    uow: UnitOfWork,
    *,
    site_id: int,
    kind: str,
    name: str,
    now: datetime,
    user_id: int | None = None,
    counter_id: int | None = None,
    lifetime: timedelta | None = None,
) -> str:
    """Store a new token's digest and return the token itself, shown only this once."""
    token = secrets.token_hex(32)  # hex: never begins with '-', so safe after --token
    uow.accounts.add_token(
        site_id,
        kind,
        name,
        hash_token(token),
        now,
        user_id=user_id,
        counter_id=counter_id,
        expires_at=now + lifetime if lifetime else None,
    )
    return token


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of nothing anyone knows, made with ``hasher``'s cost, made once."""
    return hasher.hash(secrets.token_hex(16))


def sign_in(uow: UnitOfWork, username: str, password: str) -> tuple[int, int | None, str]:
    """Check a password; return (user id, site id, role). Same error for every failure.

    An unknown or disabled user name is checked against a dummy hash of the same
    cost, so the answer takes as long as for a real account and does not tell which
    user names exist.
    """
    row = uow.accounts.active_user(username)
    try:
        if row is None:
            _hasher.verify(_dummy_hash(_hasher), password)
            raise VerificationError("unknown user")
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise AuthError(
            "Wrong user name or password.", "Sai tên đăng nhập hoặc mật khẩu."
        ) from None
    return row.id, row.site_id, row.role


class TokenHolders(Protocol):
    """Where :func:`resolve_token` reads a token's row: the accounts, or the server's
    :class:`~queue_server.adapters.account_repository.TokenHolderCache`."""

    def token_holder(self, token_hash: str) -> TokenHolder | None: ...


def resolve_token(accounts: TokenHolders, token: str, now: datetime) -> Principal:
    """The caller behind ``token``: a revoked or expired token is refused at once in
    the process that revoked it and within the cache's moment in the others.

    It takes the token rows alone, not a unit of work: one read needs no session.
    """
    row = accounts.token_holder(hash_token(token))
    if (
        row is None
        or row.kind == SESSION_KIND
        or row.revoked_at is not None
        or (row.expires_at and row.expires_at <= now)
    ):
        raise AuthError(
            "The token is unknown, expired or revoked.",
            "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
        )
    if row.user_id is not None:
        if not row.active or row.role is None or row.username is None:
            raise AuthError("The account is disabled.", "Tài khoản đã bị khóa.")
        role = Role(row.role)
        return Principal(
            site_id=row.site_id,
            name=row.username,
            permissions=_USER_PERMISSIONS[role],
            role=role,
            user_id=row.user_id,
        )
    device = DeviceKind(row.kind)
    return Principal(
        site_id=row.site_id,
        name=row.name,
        permissions=_DEVICE_PERMISSIONS[device],
        device=device,
        counter_id=row.counter_id,
    )


def revoke_token(uow: UnitOfWork, token: str, now: datetime) -> None:
    uow.accounts.revoke_token_hash(hash_token(token), now)


def change_password(
    uow: UnitOfWork, user_id: int, username: str, password: str, now: datetime
) -> int:
    """Set a new password and end every token and page session of the old one;
    returns how many were ended."""
    check_password(password, username)
    uow.accounts.set_password_hash(user_id, _hasher.hash(password))
    return revoke_user_tokens(uow, user_id, now)


def revoke_user_tokens(uow: UnitOfWork, user_id: int, now: datetime) -> int:
    """End every bearer token and page session of a user; returns how many were live."""
    return uow.accounts.revoke_user_tokens(user_id, now)


def signed_in_anywhere(uow: UnitOfWork, user_id: int, now: datetime) -> bool:
    """Whether the user is active and holds a live bearer token (not a page session):
    an officer who signed out, was disabled or whose token ran out holds no counter."""
    return bool(uow.accounts.live_tokens(user_id, now, except_kind=SESSION_KIND))


def session_user(accounts: AccountStore, token: str, now: datetime) -> UserRecord | None:
    """The active account behind an admin page session token, or None when the session
    ended (signed out, expired, revoked) or the account is disabled."""
    return accounts.session_user(hash_token(token), SESSION_KIND, now)
