"""On the real server (gunicorn + gevent, one worker), an import never stops the
others: health keeps answering while a million-row sheet is refused and while a
valid file is imported in the child process."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from import_files import million_row_sheet
from live_server import LiveServer, database_env
from server_fixtures import build_runtime, seed_callers

from queue_server.mock_upstream import demo_dossiers

COLUMNS = ["MaHoSo", "TrangThai", "TenTTHC", "ChuHoSo", "NgayTiepNhan", "NgayHenTra"]


def while_health_is_polled(server: LiveServer, work: Callable[[], Any]) -> tuple[Any, list[int]]:
    """``work()``'s result, and the status of every health check sent meanwhile
    (each with a 5 s deadline: a frozen worker shows as a ``0``)."""
    answers: list[int] = []
    done = threading.Event()

    def poll() -> None:
        session = requests.Session()
        while not done.is_set():
            try:
                answers.append(session.get(f"{server.url}/api/v1/health", timeout=5).status_code)
            except requests.RequestException:
                answers.append(0)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        result = work()
    finally:
        done.set()
        poller.join(timeout=10)
    return result, answers


def test_imports_leave_health_answering_and_end_in_a_clear_answer(
    database_url: tuple[str, str | None], tmp_path: Path, clock: Any
) -> None:
    url, schema = database_url
    runtime = build_runtime(url, schema, tmp_path, clock)
    tokens, _ = seed_callers(runtime)
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    server = LiveServer(database_env(url, schema), tmp_path).start()
    try:

        def send(data: bytes, name: str) -> requests.Response:
            return requests.post(
                f"{server.url}/api/v1/dossiers/import",
                headers=admin,
                files={"file": (name, data)},
                timeout=120,
            )

        refused, during_refusal = while_health_is_polled(
            server, lambda: send(million_row_sheet(), "ho-so.xlsx")
        )
        assert refused.status_code == 413
        assert refused.json()["error"]["code"] == "import_too_large"

        rows = demo_dossiers(3_000, clock())
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        writer.writerows([r[c] or "" for c in COLUMNS] for r in rows)
        sheet = text.getvalue().encode()
        imported, during_import = while_health_is_polled(server, lambda: send(sheet, "ho-so.csv"))
        assert imported.status_code == 200, imported.json()["error"]["message"]
        assert imported.json() == {"imported": 3_000}

        assert during_refusal and during_import
        assert set(during_refusal) | set(during_import) == {200}
        assert requests.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200
    finally:
        server.stop()
