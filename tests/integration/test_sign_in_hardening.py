"""Sign-in and pairing against an attacker: an unknown user name costs a password
check like a known one, parallel guesses never get past the lockout, and one
address cannot take all the open pairing codes."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest
from argon2 import PasswordHasher
from server_fixtures import PASSWORD, Api
from sqlalchemy import func, select

from queue_server.adapters.tables import auth_attempts
from queue_server.services import auth
from queue_server.services.device_fleet import PAIRINGS_PER_ADDRESS
from queue_server.services.sign_in_guard import LockoutPolicy

POLICY = LockoutPolicy()


class CountingHasher(PasswordHasher):
    """Real argon2 at test cost, counting the hashes it verifies against."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified: list[str] = []
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        with self._lock:
            self.verified.append(str(hash))
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(auth, "_hasher", counting)
    return counting


def _sign_in(api: Api, user: str, password: str, address: str = "10.0.0.7") -> Any:
    return api.client.post(
        "/api/v1/auth/token",
        json={"username": user, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_unknown_user_name_costs_a_password_check_like_a_known_one(
    api: Api, hasher: CountingHasher
) -> None:
    known = _sign_in(api, "officer", "khong-phai-mat-khau")
    unknown = _sign_in(api, "khong-co-ai-ten-nay", "khong-phai-mat-khau")
    # Disabled accounts answer like unknown ones, after the same check.
    api.call("POST", "/users/" + str(_user_id(api, "officer2")) + "/disable", "admin")
    disabled = _sign_in(api, "officer2", PASSWORD)

    assert known.status_code == unknown.status_code == disabled.status_code == 401
    assert known.json == unknown.json == disabled.json
    assert len(hasher.verified) == 3
    # Each was a full argon2 check at the cost real hashes have.
    assert all(h.startswith("$argon2id$v=19$m=1024,t=1,p=1$") for h in hasher.verified)


def test_parallel_wrong_guesses_never_get_past_the_lockout(
    api: Api, hasher: CountingHasher
) -> None:
    guesses = 30
    start = threading.Barrier(guesses)
    statuses: list[int] = []

    def guess(n: int) -> None:
        client = api.client.application.test_client()
        start.wait(timeout=30)
        answer = client.post(
            "/api/v1/auth/token",
            json={"username": "officer", "password": f"doan-lan-{n}"},
            environ_base={"REMOTE_ADDR": f"10.1.0.{n}"},
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert len(statuses) == guesses
    assert statuses.count(401) == POLICY.account_failures
    assert statuses.count(429) == guesses - POLICY.account_failures
    assert len(hasher.verified) == POLICY.account_failures
    with api.runtime.uow(readonly=True) as uow:
        outcomes = dict(
            uow.session.execute(
                select(auth_attempts.c.outcome, func.count()).group_by(auth_attempts.c.outcome)
            ).all()
        )
    assert outcomes == {
        "failed": POLICY.account_failures, "locked": guesses - POLICY.account_failures
    }


def _ask_code(api: Api, n: int, forwarded_for: str) -> Any:
    return api.client.post(
        "/api/v1/pairing",
        json={"kind": "kiosk", "token_hash": hashlib.sha256(f"bi-mat-{n}".encode()).hexdigest()},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )


def test_one_address_cannot_take_the_open_pairing_codes(api: Api, clock: Any) -> None:
    flood = [_ask_code(api, n, "192.168.1.66") for n in range(PAIRINGS_PER_ADDRESS + 3)]
    assert [r.status_code for r in flood[:PAIRINGS_PER_ADDRESS]] == [201] * PAIRINGS_PER_ADDRESS
    refused = flood[PAIRINGS_PER_ADDRESS]
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_pairings"
    assert "Địa chỉ này" in refused.json["error"]["message_vi"]
    assert int(refused.headers["Retry-After"]) > 0
    # A real device elsewhere in the hall, behind the same proxy, still gets its code.
    assert _ask_code(api, 100, "192.168.1.20").status_code == 201
    # The flooding address gets codes again once its share has refilled.
    clock.advance(minutes=10)
    assert _ask_code(api, 101, "192.168.1.66").status_code == 201


def test_two_visitors_behind_the_proxy_pair_independently(api: Api) -> None:
    """Both come through nginx (a loopback peer); each is counted by its own
    forwarded address, so one's flood never uses up the other's share."""
    flood = [_ask_code(api, n, "192.168.1.66") for n in range(PAIRINGS_PER_ADDRESS + 5)]
    assert [r.status_code for r in flood].count(201) == PAIRINGS_PER_ADDRESS
    assert {r.status_code for r in flood[PAIRINGS_PER_ADDRESS:]} == {429}
    other = [_ask_code(api, 200 + n, "192.168.1.20") for n in range(PAIRINGS_PER_ADDRESS)]
    assert [r.status_code for r in other] == [201] * PAIRINGS_PER_ADDRESS
    assert _ask_code(api, 300, "192.168.1.20").status_code == 429
    assert _ask_code(api, 301, "192.168.1.66").status_code == 429


def test_the_sign_in_lockout_counts_each_visitor_behind_the_proxy(api: Api) -> None:
    users = ["admin", "technician", "supervisor", "officer", "officer2"]

    def through_proxy(user: str, password: str, visitor: str) -> Any:
        return api.client.post(
            "/api/v1/auth/token",
            json={"username": user, "password": password},
            headers={"X-Forwarded-For": visitor},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )

    for n in range(POLICY.address_failures):
        assert through_proxy(users[n % 5], f"thu-so-{n}", "192.168.1.66").status_code == 401
    assert through_proxy("admin", PASSWORD, "192.168.1.66").status_code == 429
    assert through_proxy("admin", PASSWORD, "192.168.1.20").status_code == 201


def _user_id(api: Api, username: str) -> int:
    users = api.call("GET", "/users", "admin").json["users"]
    return int(next(u["id"] for u in users if u["username"] == username))
