"""The kiosk keeps issuing while the server is down, and the queue takes those tickets back
in issue order: real server process, real API client, printer emulator over TCP."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import requests
from clocks import TickingClock
from live_server import LiveServer
from printer_fixtures import ARTIFACTS, kiosk_at, running_emulator
from server_fixtures import seeded_sqlite

from device_kit.client import QueueClient
from drivers.printer.emulator import EmulatedJob
from kiosk_app.controller import KioskController
from kiosk_app.offline import Outbox


def _start_server(
    tmp_path: Path, clock: TickingClock
) -> tuple[LiveServer, dict[str, str], dict[int, int]]:
    """A live server on a seeded SQLite file; its tokens and counters."""
    url, tokens, counters = seeded_sqlite(tmp_path, clock)
    return LiveServer(url, tmp_path).start(), tokens, counters


def _call_all(server: LiveServer, admin_token: str, counter: int) -> list[str]:
    """The numbers ``counter`` calls, one after another, until the queue is empty."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    called: list[str] = []
    while True:
        response = requests.post(
            f"{server.url}/api/v1/counters/{counter}/call-next", headers=admin, timeout=5
        )
        if response.status_code == 204:
            return called
        assert response.status_code == 200, response.text
        called.append(response.json()["number"])


@pytest.mark.slow
def test_three_offline_tickets_join_the_queue_once_in_issue_order(
    tmp_path: Path,
    ticking_clock: TickingClock,
) -> None:
    server, tokens, counters = _start_server(tmp_path, ticking_clock)
    with (
        running_emulator(tmp_path / "printer") as emulator,
        QueueClient(server.url, tokens["kiosk"], timeout=(0.5, 2)) as client,
        Outbox(tmp_path / "kiosk.db") as outbox,
    ):
        controller = kiosk_at(emulator, client, outbox, ticking_clock)
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
        printed = [job.text for job in emulator.wait_for_jobs(5)]

    numbers = [before.number] + [t.number for t in offline] + [after.number]
    assert len(set(numbers)) == 5
    assert all(any(n in text for text in printed) for n in numbers)
    called = _call_all(server, tokens["admin"], counters[3])
    server.stop()
    assert called == numbers


def _printed(job: EmulatedJob) -> str:
    """A ticket's text as one line: the 58 mm paper wraps the long ones."""
    return " ".join(job.text.split())


def _number(job: EmulatedJob) -> str:
    found = re.search(r"\bB\d{3}\b", _printed(job))
    assert found is not None, job.text
    return found.group()


@pytest.mark.slow
def test_offline_tickets_use_the_reserved_band_and_say_who_is_ahead(
    tmp_path: Path,
    ticking_clock: TickingClock,
) -> None:
    """Online numbers run on from B001 whatever the blocks; the offline tickets print
    B900 up with the people ahead from the kiosk's last count, or that it does not know
    (restarted while offline); the queue takes them all once; one status request each."""
    server, tokens, counters = _start_server(tmp_path, ticking_clock)
    with (
        # Every ticket ends at its cut: a pause inside one on a busy machine must not
        # split it in two jobs.
        running_emulator(tmp_path / "printer", paper=58, idle_flush=5.0) as emulator,
        QueueClient(server.url, tokens["kiosk"], timeout=(0.5, 2)) as client,
        Outbox(tmp_path / "kiosk.db") as outbox,
    ):

        def kiosk() -> KioskController:
            return kiosk_at(emulator, client, outbox, ticking_clock, paper=58)

        controller = kiosk()
        assert controller.heartbeat() is True  # leases B900-B902, counts the queue
        online = [controller.take_ticket("ho-tich") for _ in range(2)]
        server.kill()
        offline = [controller.take_ticket("ho-tich") for _ in range(2)]
        restarted = kiosk()  # back from a power cut, still offline: no count to go by
        offline.append(restarted.take_ticket("ho-tich"))
        server.start()
        assert restarted.heartbeat() is True and restarted.pending_count() == 0
        online.append(restarted.take_ticket("ho-tich"))
        jobs = emulator.wait_for_jobs(6)
        leased = outbox.db.execute(
            "SELECT first_seq, last_seq FROM blocks WHERE service = 'ho-tich' ORDER BY id"
        ).fetchall()
        queries = list(emulator.status_queries)

    assert [t.number for t in online] == ["B001", "B002", "B003"]
    assert [t.number for t in offline] == ["B900", "B901", "B902"]
    assert all(t.offline and t.printed for t in offline)
    assert leased == [(900, 902), (903, 905)]  # the restarted server leased after its last
    # By number, not arrival: the emulator ends a job when its connection closes, and
    # two tickets printed moments apart may close in either order on a busy machine.
    printed = {_number(job): job for job in jobs}
    texts = {number: _printed(job) for number, job in printed.items()}
    assert sorted(texts) == ["B001", "B002", "B003", "B900", "B901", "B902"]
    assert "Số người đang chờ trước bạn: 1" in texts["B002"]
    assert "Số người đang chờ trước bạn: khoảng 2" in texts["B900"]
    assert "People ahead of you: about 3" in texts["B901"]
    assert "Chưa rõ số người đang chờ" in texts["B902"] and "Waiting count unknown" in texts["B902"]
    assert "trước bạn" not in texts["B902"]
    assert queries == [1, 2, 4] * 12  # DLE EOT 1, 2, 4: before and after each ticket
    # A job counts the queries since the last cut: the check after the ticket before
    # it (or the heartbeat's), then the check before it.
    assert all(job.status_queries == [1, 2, 4] * 2 for job in jobs)
    for name, job in (("offline", printed["B900"]), ("unknown", printed["B902"])):
        assert job.png_path is not None
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(job.png_path, ARTIFACTS / f"ticket_58mm_{name}.png")
    called = _call_all(server, tokens["admin"], counters[3])
    server.stop()
    assert called == ["B001", "B002", "B900", "B901", "B902", "B003"]
