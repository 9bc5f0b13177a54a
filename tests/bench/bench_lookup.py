"""Public dossier lookup with 1,000,000 mirrored dossiers, through the real server.

Runs alone: ``.venv/bin/python tests/bench/bench_lookup.py [--rows N] [--engines sqlite,postgres]``.
Prints one JSON line: per engine, the bulk load time, lookup p50/p99 over HTTP
(``motcua-server run``, one client, keep-alive, random known codes) next to the
``/health`` floor measured in the same loop, the REST
pull throughput from the mock upstream and the XLSX import throughput (rows/s),
plus the ratio of PostgreSQL to SQLite lookup p99.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from bench_common import each_engine, percentile  # noqa: E402
from clocks import FakeClock  # noqa: E402
from live_server import LiveServer, database_env  # noqa: E402
from server_fixtures import build_runtime  # noqa: E402

from queue_server.dossiers.connectors.pull import PullClient, PullOptions  # noqa: E402
from queue_server.mock_upstream import MockUpstream, UpstreamStore, demo_dossiers  # noqa: E402
from queue_server.runtime import Runtime  # noqa: E402
from queue_server.services.dossier_feeds import import_file, pull_dossiers  # noqa: E402
from queue_server.services.dossier_settings import (  # noqa: E402
    DossierSection,
    save_dossier_settings,
)

COLUMNS = (
    "site_id, code, status, upstream_status, procedure_code, procedure_name, agency, "
    "applicant_name, received_at, due_at, finished_at, collect_at, steps, source, "
    "upstream_updated_at, synced_at"
)
BASE_DAY = datetime(2024, 1, 1, 2, 0, tzinfo=UTC)


def code_of(n: int) -> str:
    """Distinct codes: 10 agencies x 100 days x 1000 per day covers 1,000,000."""
    agency, rest = divmod(n, 100_000)
    day, seq = divmod(rest, 1000)
    return f"000.00.{agency + 10:02d}.H56-{BASE_DAY + timedelta(days=day):%y%m%d}-{seq:04d}"


def rows(site_id: int, count: int, text_dates: bool) -> Iterator[tuple[Any, ...]]:
    stamp = "%Y-%m-%d %H:%M:%S.%f"
    now = datetime.now(UTC)
    for n in range(count):
        received = BASE_DAY + timedelta(days=(n % 100_000) // 1000, minutes=n % 600)
        due = received + timedelta(days=5)
        values = (received, due, now, now)
        if text_dates:
            values = tuple(v.strftime(stamp) for v in values)
        yield (
            site_id,
            code_of(n),
            n % 10 + 1,
            "Đang xử lý",
            "1.001193.000.00.00.H56",
            "Đăng ký khai sinh",
            "UBND huyện Ia Pa",
            "Nguyễn Văn An",
            values[0],
            values[1],
            None,
            "Bộ phận Một cửa",
            "[]",
            "bench",
            values[2],
            values[3],
        )


def bulk_load(runtime: Runtime, site_id: int, count: int) -> float:
    started = time.perf_counter()
    raw = runtime.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if runtime.db.is_sqlite:
            marks = ", ".join("?" * 16)
            cursor.executemany(
                f"INSERT INTO dossiers ({COLUMNS}) VALUES ({marks})", rows(site_id, count, True)
            )
        else:
            with cursor.copy(f"COPY dossiers ({COLUMNS}) FROM STDIN") as copy:
                for row in rows(site_id, count, False):
                    copy.write_row(row)
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def measure_lookups(server: LiveServer, count: int, total: int) -> dict[str, float]:
    """Lookups interleaved with ``/health`` calls: the same load on both, so the ratio
    shows what a lookup costs over the server's floor on a busy machine."""
    session = requests.Session()
    rng = random.Random(7)
    url = f"{server.url}/api/v1/dossiers/lookup"
    health = f"{server.url}/api/v1/health"
    for _ in range(50):  # warm the connection pool and caches
        session.get(url, params={"q": code_of(rng.randrange(total))})
    lookups, floor = [], []
    for _ in range(count):
        code = code_of(rng.randrange(total))
        started = time.perf_counter()
        response = session.get(url, params={"q": code})
        lookups.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        started = time.perf_counter()
        session.get(health)
        floor.append((time.perf_counter() - started) * 1000)
    result = {
        "lookup_p50_ms": round(percentile(lookups, 0.5), 2),
        "lookup_p99_ms": round(percentile(lookups, 0.99), 2),
        "health_p50_ms": round(percentile(floor, 0.5), 2),
        "health_p99_ms": round(percentile(floor, 0.99), 2),
    }
    result["lookup_over_health_p50"] = round(result["lookup_p50_ms"] / result["health_p50_ms"], 2)
    return result


def pull_rate(runtime: Runtime, site_id: int, count: int) -> float:
    store = UpstreamStore(demo_dossiers(count, datetime.now(UTC), seed=99))
    with MockUpstream(store) as upstream:
        options = PullOptions(upstream.url, page_size=1000, retries=0)
        with PullClient(options) as client:
            started = time.perf_counter()
            report = pull_dossiers(runtime, site_id, client)
            elapsed = time.perf_counter() - started
    assert report.error is None and report.rows == count, report
    return round(count / elapsed)


def xlsx_rate(runtime: Runtime, site_id: int, count: int) -> float:
    upstream = demo_dossiers(count, datetime.now(UTC), seed=5)
    names = ["MaHoSo", "TrangThai", "MaTTHC", "TenTTHC", "ChuHoSo", "NgayTiepNhan", "NgayHenTra"]
    book = Workbook()
    sheet = book.active
    sheet.append(names)
    for row in upstream:
        sheet.append([row[n] for n in names])
    out = io.BytesIO()
    book.save(out)
    started = time.perf_counter()
    with runtime.uow() as uow:
        result = import_file(uow, site_id, out.getvalue(), "xlsx", "bench", datetime.now(UTC))
        uow.commit()
    assert result.rows == count
    return round(count / (time.perf_counter() - started))


def bench_engine(
    url: str, schema: str | None, total: int, lookups: int, workdir: Path
) -> dict[str, Any]:
    runtime = build_runtime(url, schema, workdir, FakeClock())
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        site_id = site.id
        section = DossierSection(lookups_per_minute=10_000)
        save_dossier_settings(uow, site_id, section, datetime.now(UTC))
        uow.commit()
    result: dict[str, Any] = {
        "rows": total,
        "load_s": round(bulk_load(runtime, site_id, total), 1),
    }
    server = LiveServer(database_env(url, schema), workdir).start()
    try:
        result |= measure_lookups(server, lookups, total)
    finally:
        server.stop()
    result["pull_rows_per_s"] = pull_rate(runtime, site_id, 5000)
    result["xlsx_rows_per_s"] = xlsx_rate(runtime, site_id, 5000)
    runtime.db.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "bench": "dossier_lookup",
        **each_engine(
            args.engines,
            lambda url, schema, tmp: bench_engine(url, schema, args.rows, args.lookups, tmp),
        ),
    }
    if isinstance(results.get("sqlite"), dict) and isinstance(results.get("postgres"), dict):
        results["postgres_over_sqlite_p99"] = round(
            results["postgres"]["lookup_p99_ms"] / results["sqlite"]["lookup_p99_ms"], 2
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
