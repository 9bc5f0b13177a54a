"""``AccountStore`` over lists: users, tokens and sign-in attempts in memory, with the
rules of ``AccountRepository``'s queries (which tokens are live, whose site, what a
lockout counts). ``test_fake_stores.py`` holds it to the protocol's signatures."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from queue_server.adapters.account_repository import (
    FRESH_START,
    Account,
    Failures,
    TokenHolder,
    TokenRecord,
    UserRecord,
)


@dataclass(frozen=True)
class Attempt:
    site_id: int | None
    at: datetime
    username: str
    address: str
    outcome: str


class FakeAccountRepository:
    def __init__(self) -> None:
        self.users: dict[int, UserRecord] = {}
        self.tokens: dict[int, TokenRecord] = {}
        self.attempts: list[Attempt] = []
        #: Accounts whose row a transaction holds (``hold_account``), in order.
        self.held: list[str] = []
        self._ids = itertools.count(1)

    # users -----------------------------------------------------------------------
    def user_id(self, username: str) -> int | None:
        return next((u.id for u in self.users.values() if u.username == username), None)

    def add_user(self, account: Account, now: datetime) -> int:
        user_id = next(self._ids)
        self.users[user_id] = UserRecord(id=user_id, created_at=now, **asdict(account))
        return user_id

    def replace_user(self, user_id: int, account: Account) -> None:
        self.users[user_id] = replace(self.users[user_id], **asdict(account))

    def active_user(self, username: str) -> UserRecord | None:
        return next((u for u in self.users.values() if u.username == username and u.active), None)

    def users_of_site(self, site_id: int) -> list[UserRecord]:
        found = [u for u in self.users.values() if u.site_id in (site_id, None)]
        return sorted(found, key=lambda u: u.username)

    def username(self, site_id: int, user_id: int) -> str | None:
        user = self.users.get(user_id)
        return user.username if user and user.site_id in (site_id, None) else None

    def set_active(self, user_id: int, active: bool) -> None:
        self.users[user_id] = replace(self.users[user_id], active=active)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.users[user_id] = replace(self.users[user_id], password_hash=password_hash)

    def session_user(self, token_hash: str, kind: str, now: datetime) -> UserRecord | None:
        for token in self.tokens.values():
            user = self.users.get(token.user_id or 0)
            if (
                user is not None
                and user.active
                and token.token_hash == token_hash
                and token.kind == kind
                and token.revoked_at is None
                and token.expires_at is not None
                and token.expires_at > now
            ):
                return user
        return None

    # tokens ----------------------------------------------------------------------
    def add_token(
        self, site_id: int, kind: str, name: str, token_hash: str, now: datetime, *,
        user_id: int | None = None, counter_id: int | None = None,
        expires_at: datetime | None = None,
    ) -> int:
        if any(t.token_hash == token_hash for t in self.tokens.values()):
            raise ValueError("token_hash is unique")
        token_id = next(self._ids)
        self.tokens[token_id] = TokenRecord(
            id=token_id, site_id=site_id, kind=kind, name=name, token_hash=token_hash,
            user_id=user_id, counter_id=counter_id, created_at=now, expires_at=expires_at,
            revoked_at=None,
        )
        return token_id

    def token_holder(self, token_hash: str) -> TokenHolder | None:
        token = self._find(lambda t: t.token_hash == token_hash)
        if token is None:
            return None
        user = self.users.get(token.user_id or 0)
        return TokenHolder(
            **asdict(token),
            username=user.username if user else None,
            role=user.role if user else None,
            active=user.active if user else None,
        )

    def device_token(self, site_id: int, token_hash: str) -> TokenRecord | None:
        return self._find(
            lambda t: t.site_id == site_id and t.token_hash == token_hash and t.user_id is None
        )

    def device_tokens(self, site_id: int) -> list[TokenRecord]:
        return [t for t in self.tokens.values() if t.site_id == site_id and t.user_id is None]

    def live_token(self, token_hash: str) -> TokenRecord | None:
        return self._find(lambda t: t.token_hash == token_hash and t.revoked_at is None)

    def live_device_token(self, site_id: int, token_id: int) -> TokenRecord | None:
        return self._find(
            lambda t: t.id == token_id and t.site_id == site_id and t.user_id is None
            and t.revoked_at is None
        )

    def _find(self, which: Callable[[TokenRecord], bool]) -> TokenRecord | None:
        return next((t for t in self.tokens.values() if which(t)), None)

    def token_counter(self, token_id: int) -> int | None:
        return self.tokens[token_id].counter_id

    def bind_counter(self, token_id: int, counter_id: int | None) -> None:
        self.tokens[token_id] = replace(self.tokens[token_id], counter_id=counter_id)

    def revoke_token(self, token_id: int, now: datetime) -> None:
        self.tokens[token_id] = replace(self.tokens[token_id], revoked_at=now)

    def revoke_token_hash(self, token_hash: str, now: datetime) -> None:
        for token in list(self.tokens.values()):
            if token.token_hash == token_hash:
                self.revoke_token(token.id, now)

    def revoke_device_token(self, site_id: int, token_id: int, now: datetime) -> bool:
        if self.live_device_token(site_id, token_id) is None:
            return False
        self.revoke_token(token_id, now)
        return True

    def revoke_user_tokens(self, user_id: int, now: datetime) -> int:
        live = [t for t in self.tokens.values() if t.user_id == user_id and t.revoked_at is None]
        for token in live:
            self.revoke_token(token.id, now)
        return len(live)

    def live_tokens(self, user_id: int, now: datetime, *, except_kind: str) -> int:
        user = self.users.get(user_id)
        if user is None or not user.active:
            return 0
        return sum(
            1
            for t in self.tokens.values()
            if t.user_id == user_id
            and t.kind != except_kind
            and t.revoked_at is None
            and (t.expires_at is None or t.expires_at > now)
        )

    # sign-in attempts ------------------------------------------------------------
    def hold_account(self, username: str) -> None:
        self.held.append(username)

    def last_success(self, username: str) -> datetime | None:
        return max(
            (
                a.at
                for a in self.attempts
                if a.username == username and a.outcome in FRESH_START
            ),
            default=None,
        )

    def failures_of_account(self, username: str, since: datetime) -> Failures:
        return self._failures([a for a in self.attempts if a.username == username], since)

    def failures_from_address(self, address: str, since: datetime) -> Failures:
        return self._failures([a for a in self.attempts if a.address == address], since)

    @staticmethod
    def _failures(attempts: list[Attempt], since: datetime) -> Failures:
        times = [a.at for a in attempts if a.outcome == "failed" and a.at > since]
        return Failures(len(times), max(times, default=None))

    def record_attempt(
        self, site_id: int | None, username: str, address: str, now: datetime, outcome: str
    ) -> None:
        self.attempts.append(Attempt(site_id, now, username[:80], address[:64], outcome))

    def forget_attempts_before(self, before: datetime) -> int:
        kept = [a for a in self.attempts if a.at >= before]
        gone, self.attempts = len(self.attempts) - len(kept), kept
        return gone
