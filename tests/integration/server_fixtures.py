"""Building blocks for server tests: a migrated runtime with the example site,
users and tokens, and an authenticated test client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.adapters.database import connect, migrate
from queue_server.adapters.tables import start_mappers
from queue_server.app import create_app
from queue_server.bootstrap import demo_site
from queue_server.config import Settings
from queue_server.runtime import Runtime
from queue_server.services.auth import Role, create_user, issue_token
from queue_server.services.site_config import SiteFile, apply_site_file

PASSWORD = "mat-khau-an-toan"


@dataclass
class Api:
    """A test client plus the tokens of the demo callers."""

    client: FlaskClient
    runtime: Runtime
    tokens: dict[str, str] = field(default_factory=dict)
    counters: dict[int, int] = field(default_factory=dict)

    def call(self, method: str, path: str, who: str | None = None, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if who:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def issue(self, service: str = "ho-tich", priority: str | None = None) -> dict[str, Any]:
        response = self.call(
            "POST", "/tickets", "kiosk", json={"service": service, "priority": priority}
        )
        assert response.status_code == 201, response.json
        return response.json

    def desk(self, number: int, action: str, who: str = "admin", **kwargs: Any) -> Any:
        return self.call("POST", f"/counters/{self.counters[number]}/{action}", who, **kwargs)


def build_runtime(
    url: str, schema: str | None, tmp_path: Path, clock: Any, site: SiteFile | None = None
) -> Runtime:
    start_mappers()
    runtime = Runtime(
        settings=Settings(data_dir=tmp_path, database_url=url, secret_key="test"),
        db=connect(url, schema=schema),
        clock=clock,
    )
    migrate(runtime.db)
    with runtime.uow() as uow:
        apply_site_file(uow, site or demo_site(), "test", clock())
        uow.commit()
    return runtime


def seed_callers(runtime: Runtime) -> tuple[dict[str, str], dict[int, int]]:
    """Users of every role, a kiosk and a board token; returns tokens and counter ids."""
    now = runtime.clock()
    tokens: dict[str, str] = {}
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        counters = {c.number: c.id or 0 for c in uow.repo.counters(site.id)}
        for role in Role:
            user_id = create_user(uow, site.id, role.value, role, PASSWORD, now)
            tokens[role.value] = issue_token(
                uow, site_id=site.id, kind="user", name=role.value, now=now, user_id=user_id
            )
        officer2 = create_user(uow, site.id, "officer2", Role.OFFICER, PASSWORD, now)
        tokens["officer2"] = issue_token(
            uow, site_id=site.id, kind="user", name="officer2", now=now, user_id=officer2
        )
        for kind in ("kiosk", "board", "rating"):
            tokens[kind] = issue_token(uow, site_id=site.id, kind=kind, name=f"{kind}-1", now=now)
        tokens["keypad3"] = issue_token(
            uow, site_id=site.id, kind="counter", name="keypad-3", now=now, counter_id=counters[3]
        )
        uow.commit()
    return tokens, counters


@pytest.fixture
def runtime(database_url: tuple[str, str | None], tmp_path: Path, clock: Any) -> Iterator[Runtime]:
    url, schema = database_url
    runtime = build_runtime(url, schema, tmp_path, clock)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def api(app: Flask, runtime: Runtime) -> Api:
    tokens, counters = seed_callers(runtime)
    return Api(app.test_client(), runtime, tokens, counters)
