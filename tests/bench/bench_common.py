"""What several benchmarks share: the percentile they report and the run over engines,
each on its own database (a SQLite file, or a scratch PostgreSQL schema)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pg_schema import POSTGRES_URL, postgres_available, temporary_schema

#: ``bench(url, schema, scratch_dir)``: ``schema`` is None on SQLite.
Bench = Callable[[str, "str | None", Path], Any]


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def each_engine(engines: str, bench: Bench) -> dict[str, Any]:
    """``bench`` once per comma-separated engine ("sqlite", "postgres"), each on a fresh
    database that is gone afterwards; PostgreSQL reads "unavailable" when its server
    does not answer."""
    results: dict[str, Any] = {}
    for engine in engines.split(","):
        if engine == "postgres" and not postgres_available():
            results[engine] = "unavailable"
            continue
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            if engine == "sqlite":
                results[engine] = bench(f"sqlite:///{work / 'bench.db'}", None, work)
                continue
            with temporary_schema() as schema:
                results[engine] = bench(POSTGRES_URL, schema, work)
    return results
