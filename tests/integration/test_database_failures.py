"""When the database cannot serve, callers hear why: a full disk is a 503
``storage_full`` on every write (never ``500 internal_error``), and ``/health``
says whether the database takes writes and has this code's schema."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_fixtures import Api, build_runtime, seed_callers
from sqlalchemy import text

from queue_server.adapters.database import expected_revision
from queue_server.app import create_app


def test_health_reports_a_writable_database_at_the_expected_schema(api: Api) -> None:
    response = api.client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["writable"] is True
    assert response.json["schema"] == expected_revision()


def test_health_is_503_when_the_schema_is_not_this_codes(api: Api) -> None:
    with api.runtime.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))

    response = api.client.get("/api/v1/health")

    assert response.status_code == 503
    assert response.json["error"]["code"] == "schema_outdated"
    assert response.json["error"]["message_vi"]
    assert response.json["error"]["details"]["schema"] == "older"


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs under the test's directory, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path) -> None:
    """Write until the filesystem refuses another byte."""
    with open(disk / "filler", "wb", buffering=0) as out:
        for chunk in (65536, 4096, 1):
            try:
                while out.write(b"\0" * chunk):
                    pass
            except OSError:
                continue


def test_a_full_disk_is_a_503_storage_full_for_tickets_and_health(
    tiny_disk: Path, clock: Any
) -> None:
    runtime = build_runtime(f"sqlite:///{tiny_disk / 'motcua.db'}", None, tiny_disk, clock)
    try:
        tokens, _ = seed_callers(runtime)
        api = Api(create_app(runtime=runtime).test_client(), runtime, tokens)
        api.issue()
        fill(tiny_disk)

        answers = []
        for _ in range(300):
            response = api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich"})
            answers.append(response.status_code)
            if response.status_code != 201:
                break
        health = api.client.get("/api/v1/health")
    finally:
        runtime.db.dispose()

    assert answers[-1] == 503, answers
    assert response.json["error"]["code"] == "storage_full"
    assert "kỹ thuật viên" in response.json["error"]["message_vi"]
    assert health.status_code == 503
    assert health.json["error"]["code"] == "storage_full"
