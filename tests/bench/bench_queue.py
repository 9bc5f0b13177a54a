"""Ticket issue and call-next through the production server (``motcua-server run``).

Runs alone: ``.venv/bin/python tests/bench/bench_queue.py [--engines sqlite,postgres]``.
Prints one JSON line: per engine, issue p50/p99/throughput with 8 concurrent
kiosks and call-next p50/p99 with 50 concurrent counters over 10,000 waiting
tickets, plus double calls (must be 0).

Each is measured twice. *Paced*: every client acts at random (Poisson) moments
at a given mean rate, as kiosks and officers do — the latency a visitor or an
officer sees in a busy hall. *Saturated*: every client fires its next request
the moment the last one returns — the server's throughput, where latency is
only the queue in front of one worker (clients / throughput, Little's law).
A first version paced all clients in lock-step, so 50 calls arrived in the same
millisecond every 2 s; that measured a burst, not a busy hall.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# This checkout's code first, as in the server it starts: the installed package may be
# another checkout, whose migrations would build another schema.
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from bench_common import KeepAlive, each_engine, kiosk_ticket, percentile  # noqa: E402
from conftest import FakeClock  # noqa: E402
from live_server import LiveServer, database_env  # noqa: E402
from server_fixtures import build_runtime, seed_callers  # noqa: E402
from sqlalchemy import select  # noqa: E402
from test_concurrency import crowded_site, seed_waiting  # noqa: E402

from queue_server.adapters.tables import events  # noqa: E402


class Drive:
    """``clients`` threads, each posting to what ``target(i)`` names, with exponential
    gaps of mean ``mean_gap`` seconds between its requests (0: back to back). A client
    stops after ``seconds``, after ``total`` requests in all, or at its first answer
    other than ``ok`` (``204``, nobody waits, ends a counter's run without an error)."""

    def __init__(self, url: str, header: dict[str, str], clients: int, mean_gap: float) -> None:
        self.url, self.header, self.clients, self.mean_gap = url, header, clients, mean_gap
        self.latencies: list[float] = []
        self.statuses: list[int] = []
        self.wall = 0.0
        self._lock = threading.Lock()

    def run(
        self, target: Callable[[int], tuple[str, dict | None]], ok: int,
        seconds: float = 3600.0, total: int | None = None,
    ) -> Drive:
        until = time.perf_counter() + seconds
        sent = iter(range(total if total is not None else 10**9))

        def client(index: int) -> None:
            rng = random.Random(index)
            if self.mean_gap:  # clients start spread out, not in step
                time.sleep(rng.uniform(0, self.mean_gap))
            with closing(KeepAlive(self.url)) as connection:
                while time.perf_counter() < until and self._take(sent):
                    status, elapsed = self._post(connection, *target(index))
                    if status != ok:
                        return
                    if self.mean_gap:
                        time.sleep(max(0.0, rng.expovariate(1 / self.mean_gap) - elapsed))

        begin = time.perf_counter()
        with ThreadPoolExecutor(self.clients) as pool:
            list(pool.map(client, range(self.clients)))
        self.wall = time.perf_counter() - begin
        return self

    def _take(self, sent: Iterator[int]) -> bool:
        """One of the run's ``total`` requests, if any is left."""
        with self._lock:
            return next(sent, None) is not None

    def _post(self, connection: KeepAlive, path: str, body: dict | None) -> tuple[int, float]:
        """Send one request, record its status and latency (ms); return both, the latency in s."""
        begin = time.perf_counter()
        status = connection.post(path, self.header, body)
        elapsed = time.perf_counter() - begin
        with self._lock:
            self.latencies.append(elapsed * 1000)
            self.statuses.append(status)
        return status, elapsed

    def figures(self, ok: int, done: int = 0) -> dict[str, float]:
        return {
            "p50_ms": round(statistics.median(self.latencies), 2),
            # p95 beside p99 shows a tail of a few slow requests (one in 50 waiting two
            # rounds of the event loop, before write_turns) apart from a slow whole.
            "p95_ms": round(percentile(self.latencies, 0.95), 2),
            "p99_ms": round(percentile(self.latencies, 0.99), 2),
            "per_s": round(len(self.latencies) / self.wall, 1),
            "errors": sum(status not in (ok, done) for status in self.statuses),
        }


SERVICES = ["ho-tich", "dat-dai", "xay-dung", "ldtbxh"]


def bench_engine(
    url: str, schema: str | None, work: Path, issues: int, waiting: int, workers: int = 1
) -> dict:
    clock = FakeClock()
    runtime = build_runtime(url, schema, work, clock, crowded_site())
    tokens, counters = seed_callers(runtime)
    server = LiveServer(database_env(url, schema), work, workers=workers).start()
    try:
        api = f"{server.url}/api/v1"
        kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
        issued = iter(range(10**9))

        def ticket(_client: int) -> tuple[str, dict]:
            return "/tickets", kiosk_ticket(SERVICES[next(issued) % len(SERVICES)])

        # A server runs all day: measure it warm, not each worker's first requests
        # (connections, statement caches), which a 20 s paced phase would count as its p99.
        Drive(api, kiosk, 8, 0.0).run(ticket, 201, total=100)
        # 8 kiosks, each printing a ticket every 2 s on average (a packed hall: 4 tickets/s).
        issue_paced = Drive(api, kiosk, 8, 2.0).run(ticket, 201, seconds=20.0)
        issue_saturated = Drive(api, kiosk, 8, 0.0).run(ticket, 201, total=issues)

        seed_waiting(runtime, waiting)
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        ids = list(counters.values())

        def call(client: int) -> tuple[str, None]:
            return f"/counters/{ids[client]}/call-next", None

        Drive(api, admin, len(ids), 0.0).run(call, 200, total=100)  # warm, as above
        # A busy hall: each of the 50 counters calls every 2 s on average (25 calls/s).
        call_paced = Drive(api, admin, len(ids), 2.0).run(call, 200, seconds=20.0)
        # Then as fast as 50 counters can press, until the queue is empty.
        call_saturated = Drive(api, admin, len(ids), 0.0).run(call, 200)
        with runtime.uow(readonly=True) as uow:
            called = list(
                uow.session.scalars(
                    select(events.c.ticket_id).where(events.c.kind == "ticket.called")
                )
            )
        doubles = sum(times - 1 for times in Tally(called).values() if times > 1)
        return {
            "issue_8_kiosks": {
                "paced_4_per_s": issue_paced.figures(201),
                "saturated": issue_saturated.figures(201),
            },
            "call_next_50_counters": {
                "paced_25_per_s": call_paced.figures(200, 204),
                "saturated": call_saturated.figures(200, 204),
                "double_calls": doubles,
                "called": len(set(called)),
            },
        }
    finally:
        server.stop()
        runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--waiting", type=int, default=10000)
    parser.add_argument(
        "--pg-workers", type=int, default=1,
        help="server processes on PostgreSQL (production default: one per core); SQLite uses 1",
    )
    args = parser.parse_args()

    def bench(url: str, schema: str | None, work: Path) -> dict[str, object]:
        if schema is None:  # SQLite: one worker, the file's one writer
            return bench_engine(url, None, work, args.issues, args.waiting)
        result = bench_engine(url, schema, work, args.issues, args.waiting, args.pg_workers)
        return {**result, "workers": args.pg_workers}

    print(json.dumps(each_engine(args.engines, bench)))


if __name__ == "__main__":
    main()
