"""The two reads a long queue makes dear, timed with the schema of each migration that
shaped them: the heads call-next reads (both classes' first waiting ticket) and the
count of tickets ahead that every issued ticket's estimate and every tracking page
reads (``QueueRepository.ahead_of``): for the queue's last normal ticket as its issue
reads it, and for its first as its tracking page does.

- ``0018`` (as shipped): SQLite keeps each class's length (``waiting_counts``), and
  an issue counts only the tickets behind; otherwise those before are counted;
- ``0017``: ``ix_tickets_queue`` ends in ``queued_at, id, priority``;
- ``0016``: it ends in ``queued_at, id``;
- ``0015``: both queue indexes end in ``queued_at``.

Runs alone: ``.venv/bin/python tests/bench/bench_queue_reads.py [--waiting N]
[--reads N] [--engines sqlite,postgres]``. Issues N waiting tickets (one in eight
priority) in one transaction, as a morning's queue arrives without the planner's
statistics being refreshed, then times each read in its own transaction, as each
request makes it (heads with rows locked on PostgreSQL). The schema moves back with
the migrations' own downgrades. Prints one JSON line: per engine and migration,
p50/p99 in microseconds, and each older one over the shipped one (p50).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
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
from queue_server.adapters.unit_of_work import UnitOfWork  # noqa: E402
from queue_server.runtime import Runtime  # noqa: E402


def timed(runtime: Runtime, reads: int, read: Callable[[UnitOfWork], object]) -> dict[str, int]:
    """p50/p99 of ``read``, each in its own transaction."""
    micros = []
    for _ in range(reads):
        with runtime.uow() as uow:
            begin = time.perf_counter()
            assert read(uow)
            micros.append((time.perf_counter() - begin) * 1e6)
    micros = micros[reads // 10 :]  # past each connection's first, unprepared reads
    return {"p50_us": round(percentile(micros, 0.5)), "p99_us": round(percentile(micros, 0.99))}


def time_reads(runtime: Runtime, reads: int, lengths_kept: bool) -> dict[str, dict[str, int]]:
    """The reads as the shipped code makes them; without the kept lengths (before
    0018), an issue counted the tickets before it, as a tracking page does."""
    with runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        counter = uow.repo.counters(site.id)[0]
        service_ids = uow.repo.counter_service_ids(counter.id or 0)
        queue = uow.repo.waiting(service_ids[:1], priority=False, limit=10**6)
        first, last = queue[0], queue[-1]
        for ticket in (first, last):
            uow.session.expunge(ticket)  # keeps its loaded columns past this transaction

    def heads(uow: UnitOfWork) -> object:
        return uow.repo.heads(service_ids, lock=uow.repo.row_locks)[1]

    return {
        "heads": timed(runtime, reads, heads),
        # The last as an issue reads it (just queued), the first as its tracking page does.
        "ahead_last": timed(
            runtime,
            reads,
            lambda uow: uow.repo.ahead_of(last, False, just_queued=lengths_kept)
            == len(queue) - 1,
        ),
        "ahead_first": timed(runtime, reads, lambda uow: uow.repo.ahead_of(first, False) == 0),
    }


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
            result: dict[str, Any] = {"0018": time_reads(runtime, args.reads, True)}
            for older in ("0017", "0016", "0015"):
                command.downgrade(alembic_config(runtime.db), older)
                result[older] = time_reads(runtime, args.reads, False)
                result[f"{older}_over_0018_p50"] = {
                    read: round(result[older][read]["p50_us"] / result["0018"][read]["p50_us"], 2)
                    for read in ("heads", "ahead_last", "ahead_first")
                }
            return {"waiting": args.waiting, **result}
        finally:
            runtime.db.dispose()

    print(json.dumps(each_engine(args.engines, bench)))


if __name__ == "__main__":
    main()
