"""The read at the heart of call-next: both queue heads, with the queue indexes of
migration 0016 (ending in ``queued_at, id``) and with those before it (``queued_at``).

Runs alone: ``.venv/bin/python tests/bench/bench_heads.py [--waiting N] [--reads N]
[--engines sqlite,postgres]``. Issues N waiting tickets (one in eight priority) in
one transaction, as a morning's queue arrives without the planner's statistics being
refreshed, then times the heads statement call-next runs (rows locked on PostgreSQL,
each read in its own transaction, as each call-next is). Prints one JSON line: per
engine and index shape, p50/p99 in microseconds, and old over new.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from alembic import command  # noqa: E402
from bench_common import each_engine, percentile  # noqa: E402
from clocks import FakeClock  # noqa: E402
from server_fixtures import build_runtime  # noqa: E402
from test_concurrency import crowded_site, seed_waiting  # noqa: E402

from queue_server.adapters.database import alembic_config  # noqa: E402
from queue_server.runtime import Runtime  # noqa: E402


def time_heads(runtime: Runtime, reads: int) -> dict[str, float]:
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        counter = uow.repo.counters(site.id)[0]
        service_ids = uow.repo.counter_service_ids(counter.id or 0)
    micros = []
    for _ in range(reads):
        with runtime.uow() as uow:
            begin = time.perf_counter()
            prio, normal = uow.repo.heads(service_ids, lock=uow.repo.row_locks)
            micros.append((time.perf_counter() - begin) * 1e6)
            assert normal is not None
    micros = micros[reads // 10 :]  # past each connection's first, unprepared reads
    return {"p50_us": round(percentile(micros, 0.5)), "p99_us": round(percentile(micros, 0.99))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--waiting", type=int, default=4000)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args()

    def bench(url: str, schema: str | None, work: Path) -> dict[str, Any]:
        runtime = build_runtime(url, schema, work, FakeClock(), crowded_site())
        try:
            seed_waiting(runtime, args.waiting)
            result: dict[str, Any] = {"migration_0016": time_heads(runtime, args.reads)}
            # The shipped downgrade puts the queue indexes back as they were before.
            command.downgrade(alembic_config(runtime.db), "0015")
            result["before_0016"] = time_heads(runtime, args.reads)
            result["before_over_0016_p50"] = round(
                result["before_0016"]["p50_us"] / result["migration_0016"]["p50_us"], 1
            )
            return {"waiting": args.waiting, **result}
        finally:
            runtime.db.dispose()

    print(json.dumps(each_engine(args.engines, bench)))


if __name__ == "__main__":
    main()
