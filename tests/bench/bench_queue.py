"""Ticket issue and call-next through the production server (``motcua-server run``).

Runs alone: ``.venv/bin/python tests/bench/bench_queue.py [--engines sqlite,postgres]``.
Prints one JSON line: per engine, issue p50/p99/throughput with 8 concurrent
kiosks and call-next p50/p99 with 50 concurrent counters over 10,000 waiting
tickets, plus double calls (must be 0).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from conftest import FakeClock  # noqa: E402
from live_server import LiveServer, database_env  # noqa: E402
from pg_schema import POSTGRES_URL, temporary_schema  # noqa: E402
from server_fixtures import build_runtime, seed_callers  # noqa: E402
from sqlalchemy import select  # noqa: E402
from test_concurrency import crowded_site, seed_waiting  # noqa: E402

from queue_server.adapters.tables import events  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed_posts(
    url: str, header: dict[str, str], bodies: list[dict | None], clients: int
) -> tuple[list[float], list[int], float]:
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    local = threading.local()

    def one(body: dict | None) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        start = time.perf_counter()
        response = session.post(url, headers=header, json=body, timeout=30)
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append(elapsed)
            statuses.append(response.status_code)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, bodies))
    return latencies, statuses, time.perf_counter() - start


def bench_engine(url: str, schema: str | None, work: Path, issues: int, waiting: int) -> dict:
    clock = FakeClock()
    runtime = build_runtime(url, schema, work, clock, crowded_site())
    tokens, counters = seed_callers(runtime)
    server = LiveServer(database_env(url, schema), work).start()
    try:
        kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
        services = ["ho-tich", "dat-dai", "xay-dung", "ldtbxh"]
        bodies = [{"service": services[i % 4]} for i in range(issues)]
        lat, statuses, wall = timed_posts(f"{server.url}/api/v1/tickets", kiosk, bodies, 8)
        issue = {
            "p50_ms": round(statistics.median(lat), 2),
            "p99_ms": round(percentile(lat, 0.99), 2),
            "tickets_per_s": round(issues / wall, 1),
            "errors": sum(s != 201 for s in statuses),
        }

        seed_waiting(runtime, waiting)
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        ids = list(counters.values())
        lock = threading.Lock()

        def counter_loop(counter_id: int, pace: float, until: float, out: list[float]) -> None:
            """One counter pressing 'call next' every ``pace`` s (0: as fast as it can)."""
            session = requests.Session()
            while time.perf_counter() < until:
                start = time.perf_counter()
                response = session.post(
                    f"{server.url}/api/v1/counters/{counter_id}/call-next",
                    headers=admin,
                    timeout=30,
                )
                elapsed = time.perf_counter() - start
                with lock:
                    out.append(elapsed * 1000)
                if response.status_code != 200:
                    return
                time.sleep(max(0.0, pace - elapsed))

        def run_phase(pace: float, seconds: float) -> tuple[list[float], float]:
            out: list[float] = []
            until = time.perf_counter() + seconds
            start = time.perf_counter()
            with ThreadPoolExecutor(len(ids)) as pool:
                list(pool.map(lambda c: counter_loop(c, pace, until, out), ids))
            return out, time.perf_counter() - start

        # A busy hall: each of the 50 counters calls every 2 s on average (25 calls/s).
        paced, _ = run_phase(2.0, 20.0)
        # Then as fast as 50 counters can press, until the queue is empty.
        latencies, wall = run_phase(0.0, 3600.0)
        with runtime.uow(readonly=True) as uow:
            called = list(
                uow.session.scalars(
                    select(events.c.ticket_id).where(events.c.kind == "ticket.called")
                )
            )
        doubles = sum(times - 1 for times in Tally(called).values() if times > 1)
        call = {
            "paced_25_per_s_p50_ms": round(statistics.median(paced), 2),
            "paced_25_per_s_p99_ms": round(percentile(paced, 0.99), 2),
            "saturated_p50_ms": round(statistics.median(latencies), 2),
            "saturated_p99_ms": round(percentile(latencies, 0.99), 2),
            "saturated_calls_per_s": round(len(latencies) / wall, 1),
            "double_calls": doubles,
            "called": len(set(called)),
        }
        return {"issue_8_clients": issue, "call_next_50_counters": call}
    finally:
        server.stop()
        runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--waiting", type=int, default=10000)
    args = parser.parse_args()
    results: dict[str, dict] = {}
    for engine in args.engines.split(","):
        with tempfile.TemporaryDirectory() as work:
            if engine == "sqlite":
                results[engine] = bench_engine(
                    f"sqlite:///{work}/bench.db", None, Path(work), args.issues, args.waiting
                )
            else:
                with temporary_schema() as schema:
                    results[engine] = bench_engine(
                        POSTGRES_URL, schema, Path(work), args.issues, args.waiting
                    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
