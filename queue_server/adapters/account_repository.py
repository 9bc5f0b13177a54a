"""The accounts' storage: users, bearer tokens (of users and devices) and sign-in
attempts.

It runs on the unit of work's session, or on a bare connection for the one read
every request makes (``token_holder``: a read needs no session), which
:class:`TokenHolderCache` keeps for a moment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from queue_server.adapters.database import Database
from queue_server.adapters.fresh_cache import FreshCache
from queue_server.adapters.tables import api_tokens, auth_attempts, users


@dataclass(frozen=True, slots=True)
class Account:
    """What an account is made of, as ``add_user`` stores it."""

    site_id: int | None
    username: str
    full_name: str
    password_hash: str
    role: str
    active: bool


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A row of ``users``."""

    id: int
    site_id: int | None
    username: str
    full_name: str
    password_hash: str
    role: str
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A row of ``api_tokens``: the digest only, never the token."""

    id: int
    site_id: int
    kind: str
    name: str
    token_hash: str
    user_id: int | None
    counter_id: int | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenHolder(TokenRecord):
    """A token and, for a user's token, the account's name, role and state."""

    username: str | None
    role: str | None
    active: bool | None


#: Attempt outcomes after which earlier failures no longer count against an account.
FRESH_START = ("ok", "unlocked")


@dataclass(frozen=True, slots=True)
class Failures:
    """Failed sign-ins counted, and when the newest was (None when there were none)."""

    count: int
    newest: datetime | None


class AccountStore(Protocol):
    """What the account use cases ask of storage: ``AccountRepository`` on the
    database, ``FakeAccountRepository`` in the use-case tests."""

    # users
    def user_id(self, username: str) -> int | None: ...

    def add_user(self, account: Account, now: datetime) -> int: ...

    def replace_user(self, user_id: int, account: Account) -> None: ...

    def active_user(self, username: str) -> UserRecord | None: ...

    def users_of_site(self, site_id: int) -> list[UserRecord]: ...

    def username(self, site_id: int, user_id: int) -> str | None: ...

    def set_active(self, user_id: int, active: bool) -> None: ...

    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    def session_user(self, token_hash: str, kind: str, now: datetime) -> UserRecord | None: ...

    # tokens
    def add_token(
        self, site_id: int, kind: str, name: str, token_hash: str, now: datetime, *,
        user_id: int | None = None, counter_id: int | None = None,
        expires_at: datetime | None = None,
    ) -> int: ...

    def token_holder(self, token_hash: str) -> TokenHolder | None: ...

    def device_token(self, site_id: int, token_hash: str) -> TokenRecord | None: ...

    def device_tokens(self, site_id: int) -> list[TokenRecord]: ...

    def live_token(self, token_hash: str) -> TokenRecord | None: ...

    def live_device_token(self, site_id: int, token_id: int) -> TokenRecord | None: ...

    def token_counter(self, token_id: int) -> int | None: ...

    def bind_counter(self, token_id: int, counter_id: int | None) -> None: ...

    def revoke_token(self, token_id: int, now: datetime) -> None: ...

    def revoke_token_hash(self, token_hash: str, now: datetime) -> None: ...

    def revoke_device_token(self, site_id: int, token_id: int, now: datetime) -> bool: ...

    def revoke_user_tokens(self, user_id: int, now: datetime) -> int: ...

    def live_tokens(self, user_id: int, now: datetime, *, except_kind: str) -> int: ...

    # sign-in attempts
    def hold_account(self, username: str) -> None: ...

    def last_success(self, username: str) -> datetime | None:
        """The newest success or administrator's unlock (``FRESH_START``)."""
        ...

    def failures_of_account(self, username: str, since: datetime) -> Failures: ...

    def failures_from_address(self, address: str, since: datetime) -> Failures: ...

    def record_attempt(
        self, site_id: int | None, username: str, address: str, now: datetime, outcome: str
    ) -> None: ...

    def forget_attempts_before(self, before: datetime) -> int: ...


#: Run on every authenticated request, so built once; the digest is its one parameter.
_TOKEN_QUERY = (
    select(api_tokens, users.c.username, users.c.role, users.c.active)
    .outerjoin(users, users.c.id == api_tokens.c.user_id)
    .where(api_tokens.c.token_hash == bindparam("token_hash"))
)


class AccountRepository:
    def __init__(self, db: Session | Connection) -> None:
        self.db = db

    # users -----------------------------------------------------------------------
    def user_id(self, username: str) -> int | None:
        found = self.db.execute(
            select(users.c.id).where(users.c.username == username)
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def add_user(self, account: Account, now: datetime) -> int:
        result = self.db.execute(insert(users).values(created_at=now, **asdict(account)))
        return int(result.inserted_primary_key[0])  # type: ignore[attr-defined]

    def replace_user(self, user_id: int, account: Account) -> None:
        self.db.execute(update(users).where(users.c.id == user_id).values(**asdict(account)))

    def active_user(self, username: str) -> UserRecord | None:
        row = self.db.execute(
            select(users).where(users.c.username == username, users.c.active.is_(True))
        ).first()
        return None if row is None else UserRecord(**row._mapping)

    def users_of_site(self, site_id: int) -> list[UserRecord]:
        """The site's accounts and those bound to no site, by user name."""
        rows = self.db.execute(
            select(users)
            .where((users.c.site_id == site_id) | users.c.site_id.is_(None))
            .order_by(users.c.username)
        ).all()
        return [UserRecord(**row._mapping) for row in rows]

    def username(self, site_id: int, user_id: int) -> str | None:
        """The user name of an account of this site (or of none)."""
        found = self.db.execute(
            select(users.c.username).where(
                users.c.id == user_id, (users.c.site_id == site_id) | users.c.site_id.is_(None)
            )
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def set_active(self, user_id: int, active: bool) -> None:
        self.db.execute(update(users).where(users.c.id == user_id).values(active=active))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.db.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )

    def session_user(self, token_hash: str, kind: str, now: datetime) -> UserRecord | None:
        """The active account behind a live token of ``kind`` (an admin page session)."""
        row = self.db.execute(
            select(users)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(
                api_tokens.c.token_hash == token_hash,
                api_tokens.c.kind == kind,
                api_tokens.c.revoked_at.is_(None),
                api_tokens.c.expires_at > now,
                users.c.active.is_(True),
            )
        ).first()
        return None if row is None else UserRecord(**row._mapping)

    # tokens ----------------------------------------------------------------------
    def add_token(
        self, site_id: int, kind: str, name: str, token_hash: str, now: datetime, *,
        user_id: int | None = None, counter_id: int | None = None,
        expires_at: datetime | None = None,
    ) -> int:
        """Store a token's digest; returns its id."""
        result = self.db.execute(
            insert(api_tokens).values(
                site_id=site_id,
                kind=kind,
                name=name,
                token_hash=token_hash,
                user_id=user_id,
                counter_id=counter_id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[attr-defined]

    def token_holder(self, token_hash: str) -> TokenHolder | None:
        """A token whatever its state, with its user's name, role and state if any."""
        row = self.db.execute(_TOKEN_QUERY, {"token_hash": token_hash}).first()
        return None if row is None else TokenHolder(**row._mapping)

    def device_token(self, site_id: int, token_hash: str) -> TokenRecord | None:
        """A device's token of this site (not a user's), whatever its state."""
        return self._token(
            api_tokens.c.site_id == site_id,
            api_tokens.c.token_hash == token_hash,
            api_tokens.c.user_id.is_(None),
        )

    def device_tokens(self, site_id: int) -> list[TokenRecord]:
        """The site's device tokens, oldest first."""
        rows = self.db.execute(
            select(api_tokens)
            .where(api_tokens.c.site_id == site_id, api_tokens.c.user_id.is_(None))
            .order_by(api_tokens.c.id)
        ).all()
        return [TokenRecord(**row._mapping) for row in rows]

    def live_token(self, token_hash: str) -> TokenRecord | None:
        """A token not revoked (it may have expired)."""
        return self._token(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))

    def live_device_token(self, site_id: int, token_id: int) -> TokenRecord | None:
        """One of the site's device tokens, not revoked (it may have expired)."""
        return self._token(
            api_tokens.c.id == token_id,
            api_tokens.c.site_id == site_id,
            api_tokens.c.user_id.is_(None),
            api_tokens.c.revoked_at.is_(None),
        )

    def _token(self, *where: ColumnElement[bool]) -> TokenRecord | None:
        row = self.db.execute(select(api_tokens).where(*where)).first()
        return None if row is None else TokenRecord(**row._mapping)

    def token_counter(self, token_id: int) -> int | None:
        """The counter a token acts at; the token must exist."""
        found = self.db.execute(
            select(api_tokens.c.counter_id).where(api_tokens.c.id == token_id)
        ).scalar_one()
        return None if found is None else int(found)

    def bind_counter(self, token_id: int, counter_id: int | None) -> None:
        self.db.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(counter_id=counter_id)
        )

    def revoke_token(self, token_id: int, now: datetime) -> None:
        self.db.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now)
        )

    def revoke_token_hash(self, token_hash: str, now: datetime) -> None:
        self.db.execute(
            update(api_tokens).where(api_tokens.c.token_hash == token_hash).values(revoked_at=now)
        )

    def revoke_device_token(self, site_id: int, token_id: int, now: datetime) -> bool:
        """Revoke one of the site's live device tokens; False when there is none such.

        One conditional UPDATE: two admins revoking at once cannot both succeed."""
        result = self.db.execute(
            update(api_tokens)
            .where(
                api_tokens.c.id == token_id,
                api_tokens.c.site_id == site_id,
                api_tokens.c.user_id.is_(None),
                api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def revoke_user_tokens(self, user_id: int, now: datetime) -> int:
        """Revoke every live token of a user in one UPDATE; returns how many."""
        result = self.db.execute(
            update(api_tokens)
            .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def live_tokens(self, user_id: int, now: datetime, *, except_kind: str) -> int:
        """How many live, unexpired tokens an active user holds, not counting ``except_kind``."""
        live = self.db.execute(
            select(func.count())
            .select_from(api_tokens.join(users, users.c.id == api_tokens.c.user_id))
            .where(
                api_tokens.c.user_id == user_id,
                api_tokens.c.kind != except_kind,
                api_tokens.c.revoked_at.is_(None),
                (api_tokens.c.expires_at.is_(None)) | (api_tokens.c.expires_at > now),
                users.c.active.is_(True),
            )
        ).scalar_one()
        return int(live)

    # sign-in attempts ------------------------------------------------------------
    def hold_account(self, username: str) -> None:
        """Lock the account's row until the transaction ends (``FOR UPDATE`` on
        PostgreSQL; SQLite write transactions already run one at a time)."""
        self.db.execute(select(users.c.id).where(users.c.username == username).with_for_update())

    def last_success(self, username: str) -> datetime | None:
        found: datetime | None = self.db.execute(
            select(func.max(auth_attempts.c.at)).where(
                auth_attempts.c.username == username,
                auth_attempts.c.outcome.in_(FRESH_START),
            )
        ).scalar_one()
        return found

    def failures_of_account(self, username: str, since: datetime) -> Failures:
        return self._failures(auth_attempts.c.username == username, since)

    def failures_from_address(self, address: str, since: datetime) -> Failures:
        return self._failures(auth_attempts.c.address == address, since)

    def _failures(self, condition: ColumnElement[bool], since: datetime) -> Failures:
        count, newest = self.db.execute(
            select(func.count(), func.max(auth_attempts.c.at)).where(
                condition, auth_attempts.c.outcome == "failed", auth_attempts.c.at > since
            )
        ).one()
        return Failures(int(count), newest)

    def record_attempt(
        self, site_id: int | None, username: str, address: str, now: datetime, outcome: str
    ) -> None:
        """One sign-in attempt; over-long names and addresses are cut to their columns."""
        self.db.execute(
            insert(auth_attempts).values(
                site_id=site_id, at=now, username=username[:80], address=address[:64],
                outcome=outcome,
            )
        )

    def forget_attempts_before(self, before: datetime) -> int:
        """Delete sign-in attempts older than ``before``; how many went."""
        done = self.db.execute(delete(auth_attempts).where(auth_attempts.c.at < before))
        return int(done.rowcount)  # type: ignore[attr-defined]



#: How long a token's row read for one request answers the next ones (seconds).
TOKEN_CACHE_S = 2.0


class TokenHolderCache:
    """``token_holder`` for the bearer-token check of every request, read once per
    token and kept :data:`TOKEN_CACHE_S` (:class:`FreshCache`): the read was a tenth
    of a ticket's cost.

    Sign-out, revocation, a disabled account or a counter bound to a token in this
    process write to the tokens or users tables, which empties the cache at once; in
    another process they count within :data:`TOKEN_CACHE_S`. Expiry is still checked
    on every request against the row's ``expires_at``.
    """

    def __init__(self, db: Database, ttl_s: float = TOKEN_CACHE_S) -> None:
        self._db = db
        self._rows: FreshCache[str, TokenHolder] = FreshCache(
            db, frozenset({api_tokens.name, users.name}), ttl_s
        )

    def token_holder(self, token_hash: str) -> TokenHolder | None:
        return self._rows.get(token_hash, lambda: self._read(token_hash))

    def _read(self, token_hash: str) -> TokenHolder | None:
        with self._db.read_connection() as conn:
            return AccountRepository(conn).token_holder(token_hash)
