"""SIGKILL in the middle of a burst of ticket requests loses nothing that was confirmed."""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally
from pathlib import Path
from typing import Any

import pytest
import requests
from live_server import LiveServer, database_env
from server_fixtures import build_runtime, seed_callers
from sqlalchemy import select

from queue_server.adapters.tables import tickets


@pytest.mark.slow
def test_every_confirmed_ticket_survives_a_kill_and_numbering_continues(
    database_url: tuple[str, str | None], tmp_path: Path, clock: Any
) -> None:
    url, schema = database_url
    runtime = build_runtime(url, schema, tmp_path, clock)
    tokens, _ = seed_callers(runtime)
    header = {"Authorization": f"Bearer {tokens['kiosk']}"}
    server = LiveServer(database_env(url, schema), tmp_path).start()
    confirmed: list[dict[str, Any]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk(service: str) -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                response = session.post(
                    f"{server.url}/api/v1/tickets",
                    headers=header,
                    json={"service": service},
                    timeout=5,
                )
            except requests.RequestException:
                return  # the server died under us: this request was never confirmed
            if response.status_code == 201:
                with lock:
                    confirmed.append(response.json())

    workers = [threading.Thread(target=kiosk, args=(s,)) for s in ("ho-tich", "dat-dai") * 3]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while len(confirmed) < 60 and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill()
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    assert len(confirmed) >= 60

    server.start()
    try:
        session = requests.Session()
        for ticket in confirmed:
            stored = session.get(
                f"{server.url}/api/v1/tickets/{ticket['id']}", headers=header, timeout=5
            )
            assert stored.status_code == 200
            assert stored.json()["number"] == ticket["number"]
        after = session.post(
            f"{server.url}/api/v1/tickets", headers=header, json={"service": "ho-tich"}, timeout=5
        ).json()
    finally:
        server.stop()

    with runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(select(tickets.c.service_id, tickets.c.number)).all()
    repeats = [key for key, times in Tally(rows).items() if times > 1]
    assert repeats == []
    highest = max(int(t["number"][1:]) for t in confirmed if t["service"] == "ho-tich")
    assert int(after["number"][1:]) > highest
    runtime.db.dispose()
