"""Fixtures shared by the whole suite: databases on both engines, the app, a clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from clocks import FakeClock, TickingClock, begin_test
from pg_schema import POSTGRES_URL, postgres_available, temporary_schema

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def postgres_ok() -> bool:
    available = postgres_available()
    if not available and os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI and not reachable at {POSTGRES_URL}")
    return available


@pytest.fixture(autouse=True, scope="module")
def ticking_clock() -> TickingClock:
    """The module's running time, from ``TEST_NOW``: every process its tests start runs
    on it (see ``clocks.process_env``), and so does in-process code beside them."""
    return begin_test()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, str | None]]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'motcua.db'}", None
        return
    if not request.getfixturevalue("postgres_ok"):
        pytest.skip("PostgreSQL not reachable")
    with temporary_schema() as schema:
        yield POSTGRES_URL, schema


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Real argon2, with test-sized cost: production parameters take ~0.3 s a hash."""
    from argon2 import PasswordHasher

    from queue_server.services import auth

    production = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth._hasher = production
