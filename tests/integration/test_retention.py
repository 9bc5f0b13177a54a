"""Anonymous per-attempt tables do not grow forever: sign-in attempts go after 90
days, pairing codes a day after they expired; the server prunes at start and daily."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import timedelta
from pathlib import Path

from clocks import FakeClock, TickingClock
from live_server import LiveServer
from server_fixtures import build_runtime
from sqlalchemy import insert, select

from queue_server.adapters.tables import auth_attempts, pairing_codes
from queue_server.runtime import Runtime
from queue_server.services.auth import DeviceKind
from queue_server.services.device_fleet import request_pairing
from queue_server.services.retention import keep_pruning, prune


def _site_id(runtime: Runtime) -> int:
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        return site.id


def _attempt(runtime: Runtime, username: str) -> None:
    with runtime.uow() as uow:
        uow.session.execute(
            insert(auth_attempts).values(
                site_id=_site_id(runtime), at=runtime.clock(), username=username,
                address="203.0.113.5", outcome="failed",
            )
        )
        uow.commit()


def _code(runtime: Runtime, n: int) -> str:
    with runtime.uow() as uow:
        digest = hashlib.sha256(f"bi-mat-{n}".encode()).hexdigest()
        code = request_pairing(
            uow, _site_id(runtime), DeviceKind.KIOSK, "", digest, runtime.clock()
        )["code"]
        uow.commit()
        return str(code)


def _kept(runtime: Runtime) -> tuple[list[str], list[str]]:
    with runtime.uow(readonly=True) as uow:
        users = uow.session.execute(select(auth_attempts.c.username)).scalars().all()
        codes = uow.session.execute(select(pairing_codes.c.code)).scalars().all()
        return sorted(users), sorted(codes)


def test_attempts_go_after_90_days_and_codes_a_day_after_they_expired(
    runtime: Runtime, clock: FakeClock
) -> None:
    _attempt(runtime, "first")
    first_code = _code(runtime, 1)  # valid 10 minutes

    clock.advance(days=1, minutes=9)
    assert prune(runtime, clock()) == {"auth_attempts": 0, "pairing_codes": 0}
    assert _kept(runtime) == (["first"], [first_code])

    clock.advance(minutes=2)  # the first code expired a day and a minute ago
    second_code = _code(runtime, 2)
    assert prune(runtime, clock()) == {"auth_attempts": 0, "pairing_codes": 1}
    assert _kept(runtime) == (["first"], [second_code])

    clock.advance(days=89)  # the first attempt is 90 days and 11 minutes old
    _attempt(runtime, "second")
    assert prune(runtime, clock()) == {"auth_attempts": 1, "pairing_codes": 1}
    assert _kept(runtime) == (["second"], [])


def test_the_daily_job_prunes_once_at_start(runtime: Runtime, clock: FakeClock) -> None:
    _attempt(runtime, "old")
    _code(runtime, 1)
    clock.advance(days=91)
    _attempt(runtime, "recent")
    stop = threading.Event()
    stop.set()  # one run, as at start, then return instead of waiting a day
    keep_pruning(runtime, stop)
    assert _kept(runtime) == (["recent"], [])


def test_the_running_server_prunes_at_start(tmp_path: Path, ticking_clock: TickingClock) -> None:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    past = FakeClock(ticking_clock() - timedelta(days=120))
    runtime = build_runtime(url, None, tmp_path, past)
    _attempt(runtime, "long-ago")
    _code(runtime, 1)
    server = LiveServer(url, tmp_path).start()
    try:
        deadline = time.monotonic() + 20
        while _kept(runtime) != ([], []):
            assert time.monotonic() < deadline, "the server did not prune at start"
            time.sleep(0.1)
    finally:
        server.stop()
        runtime.db.dispose()
