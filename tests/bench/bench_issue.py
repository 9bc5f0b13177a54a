"""Ticket issue through the production server next to its floor, in one run.

Runs alone: ``.venv/bin/python tests/bench/bench_issue.py [--tickets N] [--rounds R]``.
Prints one JSON line: for the floor app (``floor_app.py``: gunicorn, one gevent
worker, one committed SQLite insert that numbers a ticket) and for motcua
(``motcua-server run`` on SQLite), 8 keep-alive kiosks issuing back to back, each
request with a fresh key as a kiosk sends it (the floor ignores it):
throughput, p50, p99 and repeated numbers; then motcua's share of the floor's
throughput. The two alternate ``rounds`` times on the same machine so that load
from other processes falls on both alike; each figure is the median over rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
# This checkout's code first, here as in the servers it starts (not the installed one).
sys.path[:0] = [str(ROOT / p) for p in (".", "tests", "tests/integration", "tests/bench")]

from bench_common import kiosk_ticket  # noqa: E402
from bench_queue import SERVICES, Drive  # noqa: E402
from clocks import FakeClock, process_env  # noqa: E402
from live_server import LiveServer, free_port  # noqa: E402
from server_fixtures import build_runtime, seed_callers  # noqa: E402
from test_concurrency import crowded_site  # noqa: E402

from queue_server.runtime import Runtime  # noqa: E402

KIOSKS = 8


class FloorServer:
    """``floor_app:app`` under gunicorn with one gevent worker, as ``motcua-server run``."""

    def __init__(self, work: Path) -> None:
        self.db = work / "floor.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> FloorServer:
        command = [
            sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1",
            "--worker-connections", "1000", "--keep-alive", "5",
            "-b", f"127.0.0.1:{self.port}", "floor_app:app",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT / "tests" / "bench",
            env=process_env(FLOOR_DB=str(self.db)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("floor server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=15)


def issue(url: str, header: dict[str, str], tickets: int) -> dict[str, float]:
    issued = iter(range(10**9))

    def ticket(_client: int) -> tuple[str, dict[str, str]]:
        return "/tickets", kiosk_ticket(SERVICES[next(issued) % len(SERVICES)])

    Drive(url, header, KIOSKS, 0.0).run(ticket, 201, total=200)  # warm: connections, caches
    return Drive(url, header, KIOSKS, 0.0).run(ticket, 201, total=tickets).figures(201)


def crowded_database(path: Path) -> tuple[Runtime, dict[str, str], dict[int, int]]:
    """A migrated SQLite file at ``path`` with the crowded site (services without a
    daily limit, 50 counters) and its callers: the runtime on it, tokens, counter ids."""
    runtime = build_runtime(f"sqlite:///{path}", None, path.parent, FakeClock(), crowded_site())
    tokens, counters = seed_callers(runtime)
    return runtime, tokens, counters


def repeated(db: Path, query: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(query).fetchone()[0] or 0)


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(run[key] for run in runs), 2) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        runtime, tokens, _ = crowded_database(work / "bench.db")
        runtime.db.dispose()
        floor_server = FloorServer(work).start()
        motcua = LiveServer(f"sqlite:///{work}/bench.db", work).start()
        floors, motcuas = [], []
        try:
            requests.get(f"{motcua.url}/api/v1/health", timeout=5)
            kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
            for _ in range(args.rounds):
                floors.append(issue(floor_server.url, {}, args.tickets))
                motcuas.append(issue(f"{motcua.url}/api/v1", kiosk, args.tickets))
        finally:
            floor_server.stop()
            motcua.stop()
        twice = (
            "SELECT count(*) FROM (SELECT 1 FROM {t} GROUP BY {k} HAVING count(*) > 1)"
        )
        floor, ours = median_of(floors), median_of(motcuas)
        floor["repeated_numbers"] = repeated(
            floor_server.db, twice.format(t="tickets", k="service, day, seq")
        )
        ours["repeated_numbers"] = repeated(
            work / "bench.db", twice.format(t="tickets", k="service_id, day, number")
        )
    print(json.dumps({
        "kiosks": KIOSKS,
        "tickets_per_round": args.tickets,
        "rounds": args.rounds,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "floor": floor,
        "motcua": ours,
        "motcua_over_floor": round(ours["per_s"] / floor["per_s"], 3),
    }))


if __name__ == "__main__":
    main()
