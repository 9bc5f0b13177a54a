"""The device side of the fleet against a real server: pairing by code, the
configuration a device applies at start and after a change, the cached
configuration when the server is down, and an immediate report of a fault."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from clocks import TickingClock
from live_server import LiveServer
from server_fixtures import build_runtime, seed_callers

from device_kit.contract.device_wire import DeviceConfig
from device_kit.fleet import DeviceAgent, FleetMember, pair
from device_kit.pushed_config import LocalGrants

#: The printer host the technician entered on the kiosk itself.
ENTERED = LocalGrants(frozenset({"10.0.0.7"}))


def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


class Technician:
    def __init__(self, server: LiveServer, token: str) -> None:
        self.url = f"{server.url}/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def pair(self, code: str, name: str) -> dict[str, Any]:
        answer = self.session.post(
            f"{self.url}/devices/pair", json={"code": code, "name": name}, timeout=10
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def configure(self, device_id: int, **config: Any) -> int:
        answer = self.session.put(f"{self.url}/devices/{device_id}/config", json=config, timeout=10)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["revision"])

    def device(self, name: str) -> dict[str, Any]:
        fleet = self.session.get(f"{self.url}/devices", timeout=10).json()["devices"]
        return next(d for d in fleet if d["name"] == name)


@pytest.fixture
def live(tmp_path: Path, ticking_clock: TickingClock) -> Iterator[tuple[LiveServer, Technician]]:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, _ = seed_callers(runtime)
    runtime.db.dispose()
    server = LiveServer(url, tmp_path).start()
    yield server, Technician(server, tokens["technician"])
    server.kill()


def paired_agent(server: LiveServer, technician: Technician, name: str) -> tuple[DeviceAgent, int]:
    """A kiosk agent paired through the code it showed, as a technician would do it."""
    agent = DeviceAgent(server.url, "kiosk", hardware="Mini PC #3")
    shown: list[str] = []
    stop = threading.Event()
    result: list[dict[str, Any] | None] = []
    waiter = threading.Thread(
        target=lambda: result.append(pair(agent, shown.append, stop, poll_s=0.1))
    )
    waiter.start()
    wait_for(lambda: shown)
    device = technician.pair(shown[-1], name)
    waiter.join(10)
    assert result == [{}]
    assert agent.name == name
    return agent, int(device["id"])


def test_a_device_pairs_then_follows_its_configuration(
    live: tuple[LiveServer, Technician], tmp_path: Path, ticking_clock: TickingClock
) -> None:
    server, technician = live
    agent, device_id = paired_agent(server, technician, "kiosk-sanh-1")
    applied: list[DeviceConfig] = []
    health = {"printer": "ok", "scanner": "ok"}
    cache = tmp_path / "device" / "config.json"
    member = FleetMember(
        agent, role="kiosk-ticket", version="9.9", health=lambda: dict(health),
        on_config=applied.append, cache_file=cache, interval=60.0, grants=ENTERED,
        clock=ticking_clock,
    ).start()
    try:
        wait_for(lambda: applied == [DeviceConfig()])
        assert wait_for(lambda: technician.device("kiosk-sanh-1")["status"] == "ok")
        device = technician.device("kiosk-sanh-1")
        assert device["health"]["version"] == "9.9" and abs(device["clock_skew_s"]) < 5

        # Pushed: the stream's event for this device makes it pull at once.
        revision = technician.configure(device_id, printer_url="tcp://10.0.0.7:9100", paper=58)
        member.on_event("config.device", {"device": "kiosk-sanh-1", "revision": revision})
        moved = DeviceConfig(printer_url="tcp://10.0.0.7:9100", paper=58)
        wait_for(lambda: applied[-1:] == [moved])
        member.on_event("config.device", {"device": "another-kiosk", "revision": 99})
        member.on_event("config.device", {"device": "kiosk-sanh-1", "revision": revision})

        # The printer runs out of paper: the technician sees it without waiting a minute.
        health["printer"] = "paper_out"
        member.report_now()
        flagged = wait_for(
            lambda: (d := technician.device("kiosk-sanh-1"))["status"] == "unhealthy" and d
        )
        assert flagged["problems"] == ["printer"]
        assert len(applied) == 2  # stale or foreign announcements pulled nothing

        # A printer on a host nobody entered on the kiosk: refused, reported, not used.
        revision = technician.configure(device_id, printer_url="tcp://another-host:9100")
        member.on_event("config.device", {"device": "kiosk-sanh-1", "revision": revision})
        wait_for(lambda: len(applied) == 3)
        assert applied[-1] == DeviceConfig(printer_url="tcp://10.0.0.7:9100")  # the one it had
        refused = wait_for(
            lambda: "refused printer_url" in (d := technician.device("kiosk-sanh-1"))[
                "health"]["detail"] and d
        )
        assert "another-host" in refused["health"]["detail"]
    finally:
        member.stop()

    # Started again while the server is down: the cached configuration applies at once.
    server.kill()
    again: list[DeviceConfig] = []
    offline = FleetMember(
        DeviceAgent(server.url, "kiosk", token=agent.token), role="kiosk-ticket", version="9.9",
        health=dict, on_config=again.append, cache_file=cache, interval=60.0, grants=ENTERED,
    ).start()
    offline.stop()
    assert again[:1] == [DeviceConfig(printer_url="tcp://10.0.0.7:9100")]


def test_a_device_without_the_stream_learns_of_a_change_from_its_heartbeat(
    live: tuple[LiveServer, Technician],
) -> None:
    server, technician = live
    agent, device_id = paired_agent(server, technician, "rating-quay-2")
    applied: list[DeviceConfig] = []
    member = FleetMember(
        agent, role="rating", version="9.9", health=dict, on_config=applied.append,
        interval=0.2,
    ).start()
    try:
        wait_for(lambda: applied == [DeviceConfig()])
        technician.configure(device_id, board_columns=3)
        wait_for(lambda: applied[-1:] == [DeviceConfig(board_columns=3)])
    finally:
        member.stop()
