"""Appointments through the production server (``motcua-server run``).

Runs alone: ``.venv/bin/python tests/bench/bench_appointments.py [--engines sqlite,postgres]``.
Prints one JSON line: per engine, bookings per second with 20 concurrent bookers
against one slot at a time (capacity 10, so half are refused), the places over
capacity afterwards (must be 0), and the check-in latency (p50/p99) of 8 kiosks
checking bookings in back to back.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from bench_common import each_engine, percentile  # noqa: E402
from live_server import LiveServer, database_env  # noqa: E402
from server_fixtures import build_runtime, seed_callers  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from queue_server.adapters.tables import appointment_slots, appointments  # noqa: E402
from queue_server.queueing.appointments import Booking, new_code  # noqa: E402
from queue_server.runtime import Runtime  # noqa: E402

SERVICE = "ho-tich"
BOOKERS = 20
CAPACITY = 10
KIOSKS = 8


def _open_bookings(runtime: Runtime) -> None:
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        service = uow.repo.service(site.id or 0, SERVICE)
        service.appointment_capacity, service.booking_days_ahead = CAPACITY, 30
        service.daily_limit = None  # the demo's 200 a day would refuse the later check-ins
        uow.commit()


def _book_slots(api: str, slots: list[str]) -> dict[str, object]:
    """Each slot in turn: 20 bookers released together against it."""
    statuses: Tally[int] = Tally()
    phones = iter(range(10**8))
    wall = 0.0
    with ThreadPoolExecutor(BOOKERS) as pool:
        for start in slots:
            gate = threading.Barrier(BOOKERS)

            def one(_i: int, start: str = start, gate: threading.Barrier = gate) -> int:
                body = {"service": SERVICE, "start": start, "phone": f"09{next(phones):08d}"}
                gate.wait(timeout=30)
                return requests.post(f"{api}/appointments", json=body, timeout=30).status_code

            began = time.perf_counter()
            statuses.update(pool.map(one, range(BOOKERS)))
            wall += time.perf_counter() - began
    return {
        "slots": len(slots),
        "requests_per_s": round(sum(statuses.values()) / wall, 1),
        "bookings_per_s": round(statuses[201] / wall, 1),
        "statuses": dict(statuses),
    }


def _overbooked(runtime: Runtime) -> int:
    """Places held beyond capacity, from the bookings themselves and the slot counters."""
    with runtime.uow(readonly=True) as uow:
        held = uow.session.execute(
            select(appointments.c.slot_start, func.count()).group_by(appointments.c.slot_start)
        ).all()
        counted = uow.session.execute(select(appointment_slots.c.booked)).scalars().all()
    return sum(max(0, n - CAPACITY) for _s, n in held) + sum(max(0, n - CAPACITY) for n in counted)


def _seed_due(runtime: Runtime, count: int) -> list[str]:
    """``count`` bookings due in five minutes (inside the check-in window), straight in the
    database: the slot rules have their own tests; this measures the check-in."""
    now = datetime.now(UTC)
    start = now + timedelta(minutes=5)
    codes = []
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        service = uow.repo.service(site.id or 0, SERVICE)
        for i in range(count):
            code = new_code()
            codes.append(code)
            uow.appointments.add(
                Booking(
                    site_id=site.id or 0,
                    service_id=service.id or 0,
                    code=code,
                    phone=f"08{i:08d}",
                    name="",
                    slot_start=start,
                    slot_end=start + timedelta(minutes=30),
                    day=start.astimezone(ZoneInfo(site.timezone)).date().isoformat(),
                    created_at=now,
                )
            )
        uow.commit()
    return codes


def _check_in(api: str, kiosk: str, codes: list[str]) -> dict[str, object]:
    header = {"Authorization": f"Bearer {kiosk}"}
    latencies: list[float] = []
    statuses: Tally[str] = Tally()
    session_of = threading.local()

    def one(code: str) -> None:
        session = getattr(session_of, "s", None) or requests.Session()
        session_of.s = session
        began = time.perf_counter()
        answer = session.post(
            f"{api}/appointments/check-in", json={"code": code}, headers=header, timeout=30
        )
        latencies.append((time.perf_counter() - began) * 1000)
        refused = answer.json()["error"]["code"] if answer.status_code >= 400 else ""
        statuses[f"{answer.status_code} {refused}".strip()] += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(KIOSKS) as pool:
        list(pool.map(one, codes))
    wall = time.perf_counter() - began
    return {
        "kiosks": KIOSKS,
        "p50_ms": round(percentile(latencies, 0.5), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "per_s": round(len(latencies) / wall, 1),
        "statuses": dict(statuses),
    }


def _next_working_slots(api: str) -> list[str]:
    day = datetime.now(UTC).date()
    for _ in range(20):
        day += timedelta(days=1)
        found = requests.get(
            f"{api}/appointments/slots", params={"service": SERVICE, "date": day.isoformat()},
            timeout=10,
        ).json()["slots"]
        if len(found) >= 10:
            return [s["start"] for s in found]
    raise RuntimeError("no working day with slots in the next 20 days")


def bench_engine(url: str, schema: str | None, work: Path, check_ins: int) -> dict[str, object]:
    runtime = build_runtime(url, schema, work, lambda: datetime.now(UTC))
    tokens, _counters = seed_callers(runtime)
    _open_bookings(runtime)
    server = LiveServer(database_env(url, schema), work)
    server.env["MOTCUA_BOOKINGS_PER_ADDRESS_PER_HOUR"] = "100000"
    server.start()
    try:
        api = f"{server.url}/api/v1"
        slots = _next_working_slots(api)
        _book_slots(api, slots[:2])  # warm the worker, as a server runs all day
        booking = _book_slots(api, slots[2:])
        overbooked = _overbooked(runtime)
        codes = _seed_due(runtime, check_ins)
        check_in = _check_in(api, tokens["kiosk"], codes)
        again = _check_in(api, tokens["kiosk"], codes[:50])
        return {
            "book_20_concurrent_one_slot": {**booking, "overbooked": overbooked},
            "check_in": check_in,
            "second_check_in": again["statuses"],
        }
    finally:
        server.stop()
        runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--check-ins", type=int, default=400)
    args = parser.parse_args()

    print(
        json.dumps(
            each_engine(
                args.engines,
                lambda url, schema, work: bench_engine(url, schema, work, args.check_ins),
            )
        )
    )


if __name__ == "__main__":
    main()
