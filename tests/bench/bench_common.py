"""What several benchmarks share: the percentile they report and the run over engines."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pg_schema import postgres_available


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def each_engine(engines: str, bench: Callable[[str, Path], Any]) -> dict[str, Any]:
    """``bench(engine, scratch_dir)`` for each of the comma-separated ``engines``;
    PostgreSQL reads "unavailable" when its server does not answer."""
    results: dict[str, Any] = {}
    for engine in engines.split(","):
        if engine == "postgres" and not postgres_available():
            results[engine] = "unavailable"
            continue
        with tempfile.TemporaryDirectory() as tmp:
            results[engine] = bench(engine, Path(tmp))
    return results
