"""Health latency on the real server (gunicorn + gevent, one worker, SQLite)
while an admin uploads a million-row sheet (~200 KB), then a 6,000-row CSV
(~0.9 MB, under the 1 MB request limit).

Issue 13 asks that /api/v1/health answer within 1 s at least 90 % of the time
meanwhile, and that each upload end in a clear answer. Bounded: two uploads, a
health check every 50 ms while they run. Prints one JSON line.

    python tests/bench/bench_import_load.py
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from clocks import FakeClock  # noqa: E402
from import_files import million_row_sheet  # noqa: E402
from live_server import LiveServer  # noqa: E402
from server_fixtures import build_runtime, seed_callers  # noqa: E402

from queue_server.mock_upstream import demo_dossiers  # noqa: E402

COLUMNS = ["MaHoSo", "TrangThai", "TenTTHC", "ChuHoSo", "NgayTiepNhan", "NgayHenTra"]


def csv_of(rows: int, clock: FakeClock) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerows([r[c] or "" for c in COLUMNS] for r in demo_dossiers(rows, clock()))
    return text.getvalue().encode()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        url = f"sqlite:///{data_dir / 'motcua.db'}"
        clock = FakeClock()
        tokens, _ = seed_callers(build_runtime(url, None, data_dir, clock))
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        uploads = [("ho-so.xlsx", million_row_sheet()), ("ho-so.csv", csv_of(6_000, clock))]
        server = LiveServer(url, data_dir).start()
        latencies: list[float] = []
        answers: dict[str, object] = {}
        done = threading.Event()

        def poll() -> None:
            session = requests.Session()
            while not done.is_set():
                start = time.perf_counter()
                try:
                    ok = session.get(f"{server.url}/api/v1/health", timeout=10).ok
                except requests.RequestException:
                    ok = False
                latencies.append(time.perf_counter() - start if ok else float("inf"))
                time.sleep(0.05)

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            for name, data in uploads:
                start = time.perf_counter()
                response = requests.post(
                    f"{server.url}/api/v1/dossiers/import",
                    headers=admin,
                    files={"file": (name, data)},
                    timeout=300,
                )
                body = response.json()
                answers[name] = {
                    "bytes": len(data),
                    "status": response.status_code,
                    "answer": body.get("imported", body.get("error", {}).get("code")),
                    "seconds": round(time.perf_counter() - start, 2),
                }
        finally:
            done.set()
            poller.join()
            server.stop()
    ordered = sorted(latencies)
    print(
        json.dumps(
            {
                "bench": "import_load",
                "uploads": answers,
                "health_checks": len(ordered),
                "health_within_1s": round(sum(t <= 1 for t in ordered) / len(ordered), 3),
                "health_p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
                "health_p90_ms": round(ordered[int(len(ordered) * 0.9)] * 1000, 1),
                "health_max_ms": round(ordered[-1] * 1000, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
