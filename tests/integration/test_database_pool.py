"""PostgreSQL connections are shared by every worker and every other client of the
server: each worker's pool is its share of ``max_connections`` after a reserve, and
a worker whose pool is used up answers 503 ``database_unavailable`` at once instead
of queueing without end or taking more connections than the server admits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pg_schema import POSTGRES_URL, temporary_schema
from server_fixtures import Api, build_runtime, seed_callers
from sqlalchemy import text

from queue_server.adapters.database import PG_RESERVE_CONNECTIONS, connect
from queue_server.app import create_app


@pytest.fixture
def schema(postgres_ok: bool) -> Any:
    if not postgres_ok:
        pytest.skip("PostgreSQL not reachable")
    with temporary_schema() as name:
        yield name


def server_limit() -> int:
    db = connect(POSTGRES_URL)
    try:
        with db.engine.connect() as conn:
            total = int(conn.scalar(text("SHOW max_connections")))
            reserved = int(conn.scalar(text("SHOW superuser_reserved_connections")))
    finally:
        db.dispose()
    return total - reserved


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_the_pools_of_all_workers_fit_the_server_with_a_reserve(schema: str, workers: int) -> None:
    db = connect(POSTGRES_URL, schema=schema, processes=workers)
    try:
        pool = db.engine.pool.size() + db.engine.pool._max_overflow  # type: ignore[attr-defined]
    finally:
        db.dispose()

    # each worker also keeps one connection for LISTEN (events.TableRelay)
    assert workers * (pool + 1) + PG_RESERVE_CONNECTIONS <= server_limit()
    assert pool >= 2


def test_an_exhausted_pool_is_a_fast_503_not_a_500(
    schema: str, tmp_path: Path, clock: Any
) -> None:
    runtime = build_runtime(POSTGRES_URL, schema, tmp_path, clock)
    tokens, _ = seed_callers(runtime)
    runtime.db.dispose()
    runtime.db = connect(POSTGRES_URL, schema=schema, processes=10_000)  # the smallest pool
    api = Api(create_app(runtime=runtime).test_client(), runtime, tokens)
    held = [runtime.db.engine.connect() for _ in range(runtime.db.engine.pool.size())]
    try:
        response = api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich"})
    finally:
        for conn in held:
            conn.close()
        runtime.db.dispose()

    assert response.status_code == 503
    assert response.json["error"]["code"] == "database_unavailable"
    assert response.json["error"]["message_vi"]
    assert response.headers["Retry-After"]
