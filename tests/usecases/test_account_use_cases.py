"""The account use cases on a fake unit of work: what staff and the security review
rely on (a disabled account and a new password end every token, a guessed password
locks the account, a rotated token replaces the old one), with no database. The same
use cases run against SQLite and PostgreSQL in tests/integration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fake_unit_of_work import FakeUnitOfWork

from queue_server.queueing.errors import NotFound, QueueError
from queue_server.queueing.model import Site
from queue_server.services import administration
from queue_server.services.auth import (
    SESSION_KIND,
    AuthError,
    DeviceKind,
    Role,
    hash_token,
    issue_token,
    resolve_token,
    session_user,
    signed_in_anywhere,
)
from queue_server.services.sign_in_guard import LockoutPolicy, SignInLocked, guarded_sign_in
from queue_server.services.site_ref import SiteRef
from queue_server.services.token_rotation import rotate_device_token, rotate_own_token
from queue_server.services.unit_of_work import run

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
PASSWORD = "Hoa-sen-2025!"
ADDRESS = "192.0.2.10"
ADMIN = "user:admin"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A centre (site 1) with an officer, ``lan`` (user 1)."""
    fake = FakeUnitOfWork()
    fake.repo.add(Site(code="hcm", name_vi="Trung tâm"))
    run(fake, lambda u: administration.add_user(u, 1, "lan", Role.OFFICER, PASSWORD, "", "-", NOW))
    return fake


def token_for(uow: FakeUnitOfWork, kind: str = "bearer", hours: int = 8) -> str:
    return issue_token(
        uow, site_id=1, kind=kind, name="lan", now=NOW, user_id=1,
        lifetime=timedelta(hours=hours),
    )


def test_disabling_an_account_ends_every_token_and_page_session(uow: FakeUnitOfWork) -> None:
    bearer, page = token_for(uow), token_for(uow, SESSION_KIND)
    assert resolve_token(uow.accounts, bearer, NOW).name == "lan"
    assert signed_in_anywhere(uow, 1, NOW)

    ended = run(
        uow, lambda u: administration.set_user_active(u, 1, 1, False, ADMIN, NOW, by_user_id=99)
    )

    assert ended == 2
    with pytest.raises(AuthError):
        resolve_token(uow.accounts, bearer, NOW)
    assert session_user(uow.accounts, page, NOW) is None
    assert not signed_in_anywhere(uow, 1, NOW)
    assert uow.events[-1]["payload"] == {"user_disabled": "lan", "tokens_revoked": 2}


def test_an_admin_cannot_disable_their_own_account(uow: FakeUnitOfWork) -> None:
    with pytest.raises(QueueError):
        administration.set_user_active(uow, 1, 1, False, ADMIN, NOW, by_user_id=1)
    assert uow.accounts.users[1].active


def test_a_new_password_signs_the_old_one_out_everywhere(uow: FakeUnitOfWork) -> None:
    bearer = token_for(uow)

    ended = administration.set_password(uow, 1, 1, "Mat-khau-moi-99", ADMIN, NOW)

    assert ended == 1
    with pytest.raises(AuthError):
        resolve_token(uow.accounts, bearer, NOW)
    assert guarded_sign_in(
        uow, "lan", "Mat-khau-moi-99", address=ADDRESS, site_id=1, now=NOW
    ) == (1, 1, "officer")


def test_a_taken_user_name_is_refused_never_overwritten(uow: FakeUnitOfWork) -> None:
    with pytest.raises(administration.AlreadyExists):
        administration.add_user(uow, 1, "lan", Role.ADMIN, "Khac-hoan-toan-1", "", ADMIN, NOW)
    assert uow.accounts.users[1].role == "officer"


def sign_in(uow: FakeUnitOfWork, password: str, at: datetime, address: str = ADDRESS) -> None:
    with uow:
        guarded_sign_in(uow, "lan", password, address=address, site_id=1, now=at)


def test_an_account_locks_after_five_failures_until_the_lockout_passes(
    uow: FakeUnitOfWork,
) -> None:
    policy = LockoutPolicy()
    for minute in range(policy.account_failures):
        with pytest.raises(AuthError):
            sign_in(uow, "doan-sai-123", NOW + timedelta(minutes=minute))
    last_failure = NOW + timedelta(minutes=policy.account_failures - 1)

    # Locked: even the right password is not checked.
    with pytest.raises(SignInLocked):
        sign_in(uow, PASSWORD, last_failure + timedelta(minutes=1))
    sign_in(uow, PASSWORD, last_failure + policy.lockout + timedelta(seconds=1))

    outcomes = [a.outcome for a in uow.accounts.attempts]
    assert outcomes == ["failed"] * policy.account_failures + ["locked", "ok"]
    # Each attempt held the account's row before counting (its row lock on PostgreSQL).
    assert uow.accounts.held == ["lan"] * len(outcomes)


def test_a_success_clears_the_account_count(uow: FakeUnitOfWork) -> None:
    policy = LockoutPolicy()
    for minute in range(policy.account_failures - 1):
        with pytest.raises(AuthError):
            sign_in(uow, "doan-sai-123", NOW + timedelta(minutes=minute))
    sign_in(uow, PASSWORD, NOW + timedelta(minutes=5))
    with pytest.raises(AuthError):
        sign_in(uow, "doan-sai-123", NOW + timedelta(minutes=6))

    sign_in(uow, PASSWORD, NOW + timedelta(minutes=7))


def test_an_address_spraying_passwords_is_locked_for_every_account(uow: FakeUnitOfWork) -> None:
    policy = LockoutPolicy()
    for n in range(policy.address_failures):
        with pytest.raises(AuthError), uow:
            guarded_sign_in(
                uow, f"nobody-{n}", "doan-sai-123", address=ADDRESS, site_id=1,
                now=NOW + timedelta(seconds=n),
            )

    with pytest.raises(SignInLocked):
        sign_in(uow, PASSWORD, NOW + timedelta(minutes=1))
    sign_in(uow, PASSWORD, NOW + timedelta(minutes=1), address="192.0.2.11")


def test_a_rotated_token_replaces_the_old_one_and_keeps_its_expiry(uow: FakeUnitOfWork) -> None:
    old = token_for(uow, hours=8)
    later = NOW + timedelta(hours=1)

    rotated = rotate_own_token(uow, hash_token(old), "user:lan", later)

    with pytest.raises(AuthError):
        resolve_token(uow.accounts, old, later)
    assert resolve_token(uow.accounts, rotated["token"], later).user_id == 1
    assert (rotated["name"], rotated["kind"]) == ("lan", "bearer")
    with pytest.raises(AuthError):
        resolve_token(uow.accounts, rotated["token"], NOW + timedelta(hours=8))


def test_a_device_token_rotates_only_at_its_own_centre(uow: FakeUnitOfWork) -> None:
    uow.repo.add(Site(code="hn", name_vi="Hà Nội"))
    with uow:
        token = administration.add_device_token(
            uow, 1, DeviceKind.KIOSK, "kiosk-1", None, ADMIN, NOW
        )
    [row] = administration.list_device_tokens(uow, 1)

    with pytest.raises(NotFound):
        rotate_device_token(uow, SiteRef(code="hn"), row["id"], ADMIN, NOW)
    rotated = rotate_device_token(uow, SiteRef(code="hcm"), row["id"], ADMIN, NOW)

    assert resolve_token(uow.accounts, rotated["token"], NOW).name == "kiosk-1"
    with pytest.raises(AuthError):
        resolve_token(uow.accounts, token, NOW)
    assert [t["revoked"] for t in administration.list_device_tokens(uow, 1)] == [True, False]
