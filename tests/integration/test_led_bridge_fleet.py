"""The LED bridge as a fleet device, end to end against a live server: the box is
paired by ``motcua-board pair`` (the code a technician enters), the bridge then
starts with no map at all and follows the one the technician sets on the server,
re-routes on a change without a restart, and reports a vanished port at once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from clocks import TickingClock, process_env
from live_server import ROOT, LiveServer
from server_fixtures import build_runtime, seed_callers

from drivers.led.emulator import LedEmulator

pytestmark = pytest.mark.timeout(120)

CODE_LINE = re.compile(r"Mã / Code: (\d{3}) (\d{3})")


def eventually(check: Callable[[], Any], what: str, within: float = 20.0) -> Any:
    deadline = time.monotonic() + within
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return found


class Technician:
    """The technician's and the officers' side, over HTTP."""

    def __init__(self, server: LiveServer, tokens: dict[str, str], counters: dict[int, int]):
        self.url = f"{server.url}/api/v1"
        self.tokens, self.counters = tokens, counters

    def _headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def pair(self, code: str, name: str) -> None:
        answer = requests.post(
            f"{self.url}/devices/pair",
            json={"code": code, "name": name},
            headers=self._headers("technician"),
            timeout=10,
        )
        assert answer.status_code == 201, answer.text

    def device(self, name: str) -> dict[str, Any] | None:
        fleet = requests.get(f"{self.url}/devices", headers=self._headers("technician"), timeout=10)
        return next((d for d in fleet.json()["devices"] if d["name"] == name), None)

    def configure(self, device_id: int, **config: Any) -> None:
        answer = requests.put(
            f"{self.url}/devices/{device_id}/config",
            json=config,
            headers=self._headers("technician"),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    def call_next(self, counter: int) -> str:
        kiosk = self._headers("kiosk")
        ticket = requests.post(
            f"{self.url}/tickets", json={"service": "ho-tich"}, headers=kiosk, timeout=10
        )
        assert ticket.ok, ticket.text
        called = requests.post(
            f"{self.url}/counters/{self.counters[counter]}/call-next",
            headers=self._headers("admin"),
            timeout=10,
        )
        assert called.ok, called.text
        return str(called.json()["number"])


@pytest.fixture
def live(tmp_path: Path, ticking_clock: TickingClock) -> Iterator[tuple[LiveServer, Technician]]:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, counters = seed_callers(runtime)
    runtime.db.dispose()
    server = LiveServer(url, tmp_path).start()
    yield server, Technician(server, tokens, counters)
    server.kill()


def board_command(box: Path, *args: str) -> subprocess.Popen[str]:
    """``motcua-board`` on a box whose only settings are its data directory."""
    env = process_env(
        {k: v for k, v in os.environ.items() if k not in ("MOTCUA_SERVER_URL", "MOTCUA_TOKEN")}
    )
    env |= {"MOTCUA_BOARD_DIR": str(box), "MOTCUA_HEARTBEAT_S": "0.3", "PYTHONUNBUFFERED": "1"}
    env["MOTCUA_DEVICE_PATHS"] = f"{box.parent}/*"  # the emulated ports, entered on the box
    return subprocess.Popen(
        [sys.executable, "-m", "display_board.main", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def lines_of(process: subprocess.Popen[str]) -> list[str]:
    """The process's output, collected as it comes."""
    lines: list[str] = []
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.extend(stdout), daemon=True).start()
    return lines


def test_paired_bridge_follows_the_servers_map_and_reports_a_lost_port(
    live: tuple[LiveServer, Technician], tmp_path: Path
) -> None:
    server, technician = live
    box = tmp_path / "box"

    # Pairing: the code on the console, entered by the technician, stored for the bridge.
    # As the technician guide has it: the URL after the command, no MOTCUA_SERVER_URL.
    pairing = board_command(box, "pair", "--server", server.url, "--kind", "board")
    output = lines_of(pairing)
    code = eventually(
        lambda: next((m for line in output if (m := CODE_LINE.search(line))), None), "a code"
    )
    assert any("██" in line for line in output)  # drawn big for the console
    technician.pair(code[1] + code[2], "led-sanh")
    assert pairing.wait(20) == 0, "".join(output)
    stored = box / "pairing.json"
    assert stored.stat().st_mode & 0o777 == 0o600
    assert json.loads(stored.read_text())["server_url"] == server.url

    first_3 = technician.call_next(3)
    first_4 = technician.call_next(4)
    with (
        LedEmulator(addresses=(3, 4), link=tmp_path / "ttyA") as port_a,
        LedEmulator(addresses=(3,), link=tmp_path / "ttyB") as port_b,
    ):
        bridge = board_command(box, "led-bridge", "--blink", "0.2")  # no --server, no --map
        bridge_output = lines_of(bridge)
        try:
            member = eventually(
                lambda: (d := technician.device("led-sanh")) and d["role"] == "led-bridge" and d,
                "the bridge's first heartbeat",
            )
            assert member["status"] == "ok"
            assert member["health"]["version"]

            # The technician maps counter 3: the board shows the current number at once.
            technician.configure(member["id"], led_routes=[f"3={port_a.path}:3"])
            eventually(lambda: port_a.boards[3].text == first_3, "counter 3 on port A")
            assert port_a.boards[4].text == ""

            # A new map: counter 3 moves to port B, counter 4 takes port A's board 4.
            technician.configure(
                member["id"], led_routes=[f"3={port_b.path}:3", f"4={port_a.path}:4"]
            )
            eventually(lambda: port_b.boards[3].text == first_3, "counter 3 on port B")
            eventually(lambda: port_a.boards[4].text == first_4, "counter 4 on port A")
            eventually(lambda: port_a.boards[3].text == "", "the unmapped board blanked")
            next_4 = technician.call_next(4)
            eventually(lambda: port_a.boards[4].text == next_4, "a call after the re-route")

            # Port B vanishes; the next call for it makes the technician's page say which.
            port_b.vanish()
            next_3 = technician.call_next(3)
            flagged = eventually(
                lambda: (d := technician.device("led-sanh")) and d["status"] == "unhealthy" and d,
                "the lost port reported",
                within=10,
            )
            assert flagged["problems"] == ["serial"]
            assert str(port_b.path) in flagged["detail"]

            # It comes back: the board catches up and the flag clears.
            port_b.restore()
            eventually(lambda: port_b.boards[3].text == next_3, "port B caught up")
            eventually(
                lambda: (d := technician.device("led-sanh")) and d["status"] == "ok",
                "the flag cleared",
            )
            assert bridge.poll() is None, "".join(bridge_output)
        finally:
            bridge.terminate()
            bridge.wait(10)
