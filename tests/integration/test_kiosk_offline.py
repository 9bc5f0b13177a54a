"""The kiosk keeps issuing while the server is down, and the queue takes those tickets back
in issue order: real server process, real API client, printer emulator over TCP."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from clocks import TickingClock
from live_server import LiveServer
from printer_fixtures import running_emulator
from server_fixtures import build_runtime, seed_callers

from device_kit.client import QueueClient
from drivers.printer import open_printer
from kiosk_app.controller import KioskController, KioskSettings
from kiosk_app.offline import Outbox


@pytest.mark.slow
def test_three_offline_tickets_join_the_queue_once_in_issue_order(
    tmp_path: Path,
    ticking_clock: TickingClock,
) -> None:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, counters = seed_callers(runtime)
    runtime.db.dispose()
    server = LiveServer(url, tmp_path).start()
    with (
        running_emulator(tmp_path / "printer") as emulator,
        QueueClient(server.url, tokens["kiosk"], timeout=(0.5, 2)) as client,
        Outbox(tmp_path / "kiosk.db") as outbox,
    ):
        controller = KioskController(
            client,
            lambda: open_printer(f"tcp://127.0.0.1:{emulator.port}", paper=80),
            outbox,
            KioskSettings(block_size=3),
            clock=ticking_clock,  # the day its blocks are leased for is the server's day
        )
        controller.load_catalogue()
        assert controller.heartbeat() is True  # leases a block per service
        before = controller.take_ticket("ho-tich")
        server.kill()
        offline = [controller.take_ticket("ho-tich") for _ in range(3)]
        assert all(t.offline and t.printed for t in offline)
        assert controller.heartbeat() is False and controller.pending_count() == 3
        server.start()
        assert controller.heartbeat() is True
        assert controller.pending_count() == 0
        after = controller.take_ticket("ho-tich")
        printed = [job.text for job in emulator.jobs]

    numbers = [before.number] + [t.number for t in offline] + [after.number]
    assert len(set(numbers)) == 5
    assert all(any(n in text for text in printed) for n in numbers)
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    called = []
    for _ in range(6):
        response = requests.post(
            f"{server.url}/api/v1/counters/{counters[3]}/call-next", headers=admin, timeout=5
        )
        if response.status_code == 204:
            break
        called.append(response.json()["number"])
    server.stop()
    assert called == numbers
