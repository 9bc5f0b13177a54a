"""The device API client against the real server process: data, typed errors, unreachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clocks import TickingClock
from live_server import LiveServer, free_port
from server_fixtures import seeded_sqlite

from device_kit.client import QueueClient, ServerError, ServerUnreachable


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    ticking_clock: TickingClock,
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data = tmp_path_factory.mktemp("client")
    url, tokens, _ = seeded_sqlite(data, ticking_clock)
    server = LiveServer(url, data).start()
    yield server, tokens
    server.stop()


@pytest.fixture
def kiosk(live: tuple[LiveServer, dict[str, str]]) -> Iterator[QueueClient]:
    server, tokens = live
    with QueueClient(server.url, tokens["kiosk"]) as client:
        yield client


def test_catalogue_and_snapshot_reads(kiosk: QueueClient) -> None:
    site = kiosk.get_site()
    assert site["name_vi"] and {g["code"] for g in site["priority_groups"]} >= {"elderly"}
    codes = {s["code"]: s["prefix"] for s in kiosk.services()}
    assert codes["ho-tich"] == "B" and codes["tra-ket-qua"] == "F"
    assert "last_event_id" in kiosk.queue_snapshot()


def test_issue_track_and_read_a_ticket(kiosk: QueueClient) -> None:
    ticket = kiosk.issue_ticket("dat-dai", "elderly", "000.00.06.H56-231027-0361")
    assert ticket["number"].startswith("A") and ticket["priority"] == "elderly"
    assert ticket["dossier_code"] == "000.00.06.H56-231027-0361"
    assert kiosk.get_ticket(ticket["id"])["number"] == ticket["number"]
    tracked = kiosk.track(ticket["track_token"])
    assert tracked["number"] == ticket["number"] and "dossier_code" not in tracked


def test_server_errors_carry_code_and_both_languages(kiosk: QueueClient) -> None:
    with pytest.raises(ServerError) as unknown:
        kiosk.issue_ticket("khong-co")
    assert (unknown.value.status, unknown.value.code) == (404, "unknown_service")
    assert "khong-co" in unknown.value.message_vi
    with pytest.raises(ServerError) as bad:
        kiosk.issue_ticket("ho-tich", priority="vip")
    assert bad.value.code == "invalid_priority" and bad.value.message_vi


def test_a_board_token_may_not_issue(live: tuple[LiveServer, dict[str, str]]) -> None:
    server, tokens = live
    with QueueClient(server.url, tokens["board"]) as board, pytest.raises(ServerError) as denied:
        board.issue_ticket("ho-tich")
    assert denied.value.status == 403 and denied.value.code == "forbidden"


def test_blocks_lease_and_hand_over(kiosk: QueueClient, ticking_clock: TickingClock) -> None:
    block = kiosk.lease_block("xay-dung", 2)
    assert block["last"] - block["first"] == 1 and block["prefix"] == "D"
    at = ticking_clock()
    first: dict[str, Any] = kiosk.sync_offline_ticket(block["id"], block["first"], at)
    again = kiosk.sync_offline_ticket(block["id"], block["first"], at)
    assert first["id"] == again["id"] and first["number"] == block["first_number"]


def test_nothing_listening_is_server_unreachable(tmp_path: Path) -> None:
    with QueueClient(f"http://127.0.0.1:{free_port()}", "t", timeout=(0.5, 0.5)) as client:
        with pytest.raises(ServerUnreachable):
            client.services()
