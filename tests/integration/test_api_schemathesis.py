"""Property-based run of schemathesis over the whole OpenAPI document, as an admin:
whatever it sends that the document allows (and much it does not), no answer is a
server error. Bounded: a few examples per operation, on SQLite, in one app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from clocks import FakeClock
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from server_fixtures import build_runtime, seed_callers
from sqlalchemy import select

from queue_server.adapters.tables import users
from queue_server.api.spec import openapi_document
from queue_server.app import create_app
from queue_server.runtime import Runtime
from queue_server.services.auth import issue_token

#: Examples per operation: enough to reach every parameter's edges, quick on SQLite.
EXAMPLES = 12


@dataclass
class Fuzzed:
    app: Flask
    runtime: Runtime
    admin_id: int
    site_id: int

    def admin_token(self) -> str:
        """A fresh admin token per case: a fuzzed ``/auth/token/rotate`` revokes the
        token it was called with, which would turn the rest of the run into 401s."""
        with self.runtime.uow() as uow:
            token = issue_token(
                uow,
                site_id=self.site_id,
                kind="user",
                name="admin",
                now=self.runtime.clock(),
                user_id=self.admin_id,
            )
            uow.commit()
        return token


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    data = tmp_path_factory.mktemp("schemathesis")
    runtime = build_runtime(f"sqlite:///{Path(data) / 'motcua.db'}", None, data, FakeClock())
    seed_callers(runtime)
    with runtime.uow(readonly=True) as uow:
        admin = uow.session.execute(
            select(users.c.id, users.c.site_id).where(users.c.username == "admin")
        ).one()
    yield Fuzzed(create_app(runtime=runtime), runtime, admin.id, admin.site_id)
    runtime.db.dispose()


@pytest.fixture(scope="module")
def openapi(fuzzed: Fuzzed) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed.app)


#: Every documented operation but the event stream, which lasts until the client
#: leaves (its parameters are checked in test_api_hostile_input.py).
OPERATIONS = sorted(
    (path, method)
    for path, operations in openapi_document("test")["paths"].items()
    for method in operations
    if (path, method) != ("/api/v1/events", "get")
)


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_no_request_to_an_operation_is_a_server_error(
    openapi: Any, fuzzed: Fuzzed, path: str, method: str
) -> None:
    """Cases that fit the document and cases that do not (schemathesis' negative mode)."""
    operation = openapi[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def no_server_error(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {fuzzed.admin_token()}"})
        assert response.status_code < 500, (case.path_parameters, case.query, response.text)
        if response.status_code >= 400 and "json" in response.headers.get(
            "Content-Type", [""]
        )[0]:
            assert set(response.json()["error"]) >= {"code", "message", "message_vi"}

    no_server_error()
