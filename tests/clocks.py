"""The one clock of the test suite, set from one place.

Every test module starts at :data:`TEST_NOW`: a working Wednesday, 09:00 in Hà Nội,
unless ``MOTCUA_TEST_NOW`` names another moment (``2027-02-06T09:00+07:00`` is Tết
2027). In-process code gets a :class:`FakeClock` (moved by hand) or the module's
:class:`TickingClock` (real time shifted to start at ``TEST_NOW``); every process a
test starts (live server, Kivy app, CLI, emulator) runs on that same ticking time
through :func:`process_env` and ``clock_travel/sitecustomize.py``. So the suite does
not depend on the date it runs on, and no test mixes the test day with the real one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

TEST_NOW = datetime.fromisoformat(os.environ.get("MOTCUA_TEST_NOW", "2026-11-25T09:00:00+07:00"))
if TEST_NOW.tzinfo is None:
    raise ValueError("MOTCUA_TEST_NOW needs an offset, e.g. 2027-02-06T09:00+07:00")
TEST_NOW = TEST_NOW.astimezone(UTC)

ROOT = Path(__file__).resolve().parents[1]
# The suite's import path (pytest's ``pythonpath``) for test files run as child
# scripts, and the folder whose sitecustomize shifts a child's clock.
IMPORT_PATH = os.pathsep.join(
    str(ROOT / p)
    for p in ("tests/clock_travel", ".", "tests", "tests/integration", "tests/e2e")
)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = TEST_NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class TickingClock:
    """Real time, shifted so that it read ``start`` when it was made."""

    def __init__(self, start: datetime = TEST_NOW) -> None:
        self.offset = start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


_current: TickingClock | None = None


def begin_test(start: datetime = TEST_NOW) -> TickingClock:
    """Start the running time at ``start`` (``TEST_NOW`` unless a module needs a moment
    derived from it): processes started from now on share it."""
    global _current
    _current = TickingClock(start)
    return _current


def running_time() -> datetime:
    """The current test time (the ticking clock once a test began it), else real time."""
    return _current() if _current is not None else datetime.now(UTC)


def process_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``base`` (default: this environment) plus ``extra``, the suite's import path and
    crash stacks on; a child started with it runs on the current ticking test clock.

    Outside a test (the benchmarks) the child keeps the real clock."""
    env = {
        **(os.environ if base is None else base),
        "PYTHONPATH": IMPORT_PATH,
        # A child that dies in native code (SIGSEGV, SIGABRT) prints every thread's
        # Python stack on stderr, for the test's failure message.
        "PYTHONFAULTHANDLER": "1",
        **extra,
    }
    if _current is not None:
        env["MOTCUA_TEST_CLOCK_OFFSET"] = f"{_current.offset.total_seconds():.6f}"
    return env
