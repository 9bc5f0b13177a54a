"""Backup, verify and restore time for a year of tickets, SQLite and PostgreSQL.

Fills a fresh database with ``--tickets`` finished tickets and one event each
(about a year of a mid-size centre at 100k), then times ``backup``, ``verify``
and ``restore`` into an empty database. Also issues tickets in a thread while the
backup runs and reports how many got through and the slowest issue.

    .venv/bin/python tests/bench/bench_backup.py [--tickets 100000]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from pg_schema import POSTGRES_URL, postgres_available, temporary_schema  # noqa: E402
from server_fixtures import build_runtime  # noqa: E402

from queue_server.adapters.database import connect  # noqa: E402
from queue_server.adapters.tables import events, tickets  # noqa: E402
from queue_server.backup import backup, restore, verify  # noqa: E402
from queue_server.runtime import Runtime  # noqa: E402
from queue_server.services.clock import utc_now  # noqa: E402
from queue_server.services.site_ref import SiteRef  # noqa: E402
from queue_server.services.tickets import IssueRequest, issue_ticket  # noqa: E402


def fill(runtime: Runtime, count: int) -> None:
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        site_id = site.id
        service_ids = [s.id for s in uow.repo.services(site_id)]
    start = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)
    batch = 5000
    with runtime.db.engine.begin() as conn:
        for first in range(0, count, batch):
            rows, evs = [], []
            for n in range(first, min(count, first + batch)):
                at = start + timedelta(minutes=5 * n)
                rows.append({
                    "site_id": site_id, "service_id": service_ids[n % 6],
                    "number": f"A{n % 1000:03d}", "seq": n % 1000 + 1,
                    "day": f"x{n // 1000}", "track_token": secrets.token_urlsafe(16),
                    "issued_at": at, "queued_at": at, "priority": None, "source": "bench",
                    "dossier_code": None, "state": "done", "recall_count": 0,
                })
                evs.append({"site_id": site_id, "at": at, "kind": "ticket.issued",
                            "actor": "device:bench", "ticket_id": n + 1, "payload": "{}"})
            conn.execute(insert(tickets), rows)
            conn.execute(insert(events), evs)


def burst_during(runtime: Runtime, work: Any) -> tuple[float, int, float]:
    """Run ``work`` while a thread issues tickets; (work seconds, issued, slowest ms)."""
    stop, latencies = threading.Event(), []

    def issue() -> None:
        while not stop.is_set():
            began = time.perf_counter()
            request = IssueRequest("ho-tich", source="bench")
            site = SiteRef(code="default")
            issue_ticket(runtime.uow, site, request, "device:bench", utc_now(), 20)
            latencies.append(time.perf_counter() - began)

    worker = threading.Thread(target=issue)
    worker.start()
    began = time.perf_counter()
    work()
    took = time.perf_counter() - began
    stop.set()
    worker.join()
    return took, len(latencies), max(latencies, default=0) * 1000


def run(url: str, schema: str | None, tmp: Path, count: int) -> dict[str, Any]:
    runtime = build_runtime(url, schema, tmp, utc_now)
    began = time.perf_counter()
    fill(runtime, count)
    fill_s = time.perf_counter() - began
    out = tmp / ("backup.sqlite" if runtime.db.is_sqlite else "backup.dump")
    backup_s, issued, slowest_ms = burst_during(runtime, lambda: backup(runtime.db, out))
    began = time.perf_counter()
    verify(out)  # raises BadBackup when it fails
    verify_s = time.perf_counter() - began
    runtime.db.dispose()
    if schema is None:
        target_url = f"sqlite:///{tmp / 'fresh.db'}"
    else:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        target_url = url
    target = connect(target_url, schema=schema)
    began = time.perf_counter()
    restore(target, out)
    restore_s = time.perf_counter() - began
    with target.engine.connect() as conn:
        restored = conn.execute(select(func.count()).select_from(tickets)).scalar_one()
    target.dispose()
    assert restored >= count
    return {
        "tickets": count, "fill_s": round(fill_s, 2), "backup_s": round(backup_s, 3),
        "backup_mb": round(out.stat().st_size / 1e6, 1), "verify_s": round(verify_s, 3),
        "restore_s": round(restore_s, 3), "issued_during_backup": issued,
        "slowest_issue_during_backup_ms": round(slowest_ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{tmp}/motcua.db", None, Path(tmp), args.tickets)
    if postgres_available():
        with tempfile.TemporaryDirectory() as tmp, temporary_schema() as schema:
            results["postgres"] = run(POSTGRES_URL, schema, Path(tmp), args.tickets)
        results["backup_ratio_pg_to_sqlite"] = round(
            results["postgres"]["backup_s"] / results["sqlite"]["backup_s"], 2
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
