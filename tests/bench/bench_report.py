"""Yearly report over about 500,000 tickets, on SQLite and PostgreSQL.

Runs alone:
``.venv/bin/python tests/bench/bench_report.py [--tickets N] [--engines sqlite,postgres]``.
Loads a year (15 Dec to 14 Dec, the regulation's yearly cut-off) of generated activity
month by month, then per engine measures: the figures (SQL aggregation) and the XLSX
and PDF renderings, each timed alone and again under tracemalloc for the peak of
Python memory; the process's peak RSS; and, as the variant to compare, merely fetching
every ticket row of the year into Python (what computing without SQL aggregation would
start with). Prints one JSON line, with ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from conftest import FakeClock  # noqa: E402
from pg_schema import POSTGRES_URL, postgres_available, temporary_schema  # noqa: E402
from report_activity import generate_activity  # noqa: E402
from server_fixtures import build_runtime  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from queue_server.adapters.tables import tickets  # noqa: E402
from queue_server.dossiers.calendar import WorkingCalendar  # noqa: E402
from queue_server.reports.figures import Report  # noqa: E402
from queue_server.reports.pdf import report_pdf  # noqa: E402
from queue_server.reports.periods import month_period, year_period  # noqa: E402
from queue_server.reports.queries import ReportFilter, collect_report  # noqa: E402
from queue_server.reports.xlsx import report_xlsx  # noqa: E402
from queue_server.runtime import Runtime  # noqa: E402

YEAR = year_period(2026)
NOW = datetime(2026, 12, 14, 11, 0, tzinfo=UTC)
WORKING_DAYS_A_YEAR = 250
SERVICES = 6


def _months() -> list[tuple[date, date]]:
    spans, start = [], YEAR.start
    while start <= YEAR.end:
        end = min(month_period(start).end, YEAR.end)
        spans.append((start, end))
        start = end + timedelta(days=1)
    return spans


def load(runtime: Runtime, tickets_wanted: int) -> float:
    """Generate the year month by month (bounded memory); returns seconds taken."""
    # About 6 % of entries come from transfers on top of the new tickets.
    per_service_day = max(1, round(tickets_wanted / 1.06 / WORKING_DAYS_A_YEAR / SERVICES))
    began = time.perf_counter()
    for index, (start, end) in enumerate(_months()):
        generate_activity(
            runtime,
            start,
            end,
            per_service_day=per_service_day,
            dossier_count=1500,
            seed=100 + index,
        )
        gc.collect()
    return time.perf_counter() - began


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """Result, seconds (untraced run), peak MiB of Python allocations (traced run)."""
    gc.collect()
    began = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - began
    del result
    gc.collect()
    tracemalloc.start()
    result = work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def measure(runtime: Runtime) -> dict[str, Any]:
    with runtime.uow(readonly=True) as uow:
        site_id = uow.repo.site("default").id
        count = uow.session.execute(select(func.count()).select_from(tickets)).scalar_one()

    def figures() -> Report:
        with runtime.uow(readonly=True) as uow:
            return collect_report(
                uow.session, ReportFilter((site_id,)), YEAR, WorkingCalendar(), NOW
            )

    def fetch_all() -> int:
        with runtime.uow(readonly=True) as uow:
            rows = uow.session.execute(
                select(tickets).where(
                    tickets.c.day.between(YEAR.start.isoformat(), YEAR.end.isoformat())
                )
            ).all()
            return len(rows)

    report, report_s, report_mib = _timed(figures)
    _, xlsx_s, xlsx_mib = _timed(lambda: report_xlsx(report))
    _, pdf_s, pdf_mib = _timed(lambda: report_pdf(report))
    fetched, fetch_s, fetch_mib = _timed(fetch_all)
    return {
        "tickets": count,
        "report_issued": report.totals.counts.issued,
        "figures_s": round(report_s, 2),
        "figures_peak_mib": round(report_mib, 1),
        "xlsx_s": round(xlsx_s, 2),
        "xlsx_peak_mib": round(xlsx_mib, 1),
        "pdf_s": round(pdf_s, 2),
        "pdf_peak_mib": round(pdf_mib, 1),
        "fetch_all_rows_s": round(fetch_s, 2),
        "fetch_all_rows_peak_mib": round(fetch_mib, 1),
        "fetched_rows": fetched,
        "ratio_fetch_all_to_figures_memory": round(fetch_mib / report_mib, 1),
    }


def run_engine(engine: str, tickets_wanted: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        if engine == "sqlite":
            runtime = build_runtime(
                f"sqlite:///{folder}/motcua.db", None, Path(folder), FakeClock()
            )
            result = {"load_s": round(load(runtime, tickets_wanted), 1), **measure(runtime)}
            runtime.db.dispose()
            return result
        with temporary_schema() as schema:
            runtime = build_runtime(POSTGRES_URL, schema, Path(folder), FakeClock())
            result = {"load_s": round(load(runtime, tickets_wanted), 1), **measure(runtime)}
            runtime.db.dispose()
            return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    results: dict[str, Any] = {"bench": "report_year", "period": YEAR.slug}
    for engine in args.engines.split(","):
        if engine == "postgres" and not postgres_available():
            results[engine] = "unavailable"
            continue
        results[engine] = run_engine(engine, args.tickets)
    if isinstance(results.get("sqlite"), dict) and isinstance(results.get("postgres"), dict):
        results["ratio_postgres_to_sqlite_figures_s"] = round(
            results["postgres"]["figures_s"] / results["sqlite"]["figures_s"], 2
        )
    results["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
