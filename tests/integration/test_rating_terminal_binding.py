"""A rating terminal paired without a counter says so on its screen and starts
serving the counter an admin then sets on the fleet page, without a restart."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from clocks import TickingClock
from live_server import LiveServer
from server_fixtures import build_runtime, seed_callers

from kiosk_app.rating.app import RatingTerminal


def eventually(check: Callable[[], Any], within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "the terminal never reached the expected state"
        time.sleep(0.05)


@pytest.fixture
def live(
    tmp_path: Path,
    ticking_clock: TickingClock,
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, _ = seed_callers(runtime)  # "rating-1" is bound to no counter
    runtime.db.dispose()
    server = LiveServer(url, tmp_path).start()
    yield server, tokens
    server.kill()


def test_an_unbound_terminal_says_so_then_serves_the_counter_it_is_given(
    live: tuple[LiveServer, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = live
    terminal = RatingTerminal(
        server.url, tokens["rating"], lambda: None,
        save_pairing=lambda _url, _token: None, data_dir=tmp_path,
    )
    terminal.start()
    try:
        eventually(
            lambda: terminal.desk.get("counter_name") == "Thiết bị này chưa được gắn với quầy nào."
        )
        assert terminal.flow.counter == 0  # no question is asked for any counter

        admin = requests.Session()
        admin.headers["Authorization"] = f"Bearer {tokens['admin']}"
        devices = admin.get(f"{server.url}/api/v1/devices", timeout=10).json()["devices"]
        mine = next(d for d in devices if d["name"] == "rating-1")
        moved = admin.put(
            f"{server.url}/api/v1/devices/{mine['id']}/config", json={"counter": 2}, timeout=10
        )
        assert moved.status_code == 200
        eventually(lambda: terminal.desk.get("counter") == 2 and terminal.flow.counter == 2)
    finally:
        terminal.stop()
