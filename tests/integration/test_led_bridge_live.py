"""The LED bridge follows the real server's event stream: the state on start, a call,
and a server restart with calls made while it was down (caught up, none lost)."""

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
from server_fixtures import Api, build_runtime, seed_callers

from device_kit.event_stream import Event, EventStream, LinkState, StreamConfig
from display_board.led_bridge import LedBridge, LedRoute
from drivers.led import open_led_bus
from drivers.led.emulator import LedEmulator
from queue_server.app import create_app

pytestmark = pytest.mark.timeout(120)


def eventually(check: Callable[[], bool], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "the LED boards never reached the expected state"
        time.sleep(0.05)


class States:
    """Records the stream's link states, to see the outage and the return."""

    def __init__(self, bridge: LedBridge) -> None:
        self.bridge = bridge
        self.seen: list[LinkState] = []

    def on_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.bridge.on_snapshot(snapshot)

    def on_event(self, event: Event) -> None:
        self.bridge.on_event(event)

    def on_state(self, state: LinkState) -> None:
        self.seen.append(state)


@pytest.fixture
def floor(tmp_path: Path, ticking_clock: TickingClock) -> Iterator[tuple[LiveServer, Api]]:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, counters = seed_callers(runtime)
    api = Api(create_app(runtime=runtime).test_client(), runtime, tokens, counters)
    server = LiveServer(url, tmp_path).start()
    yield server, api
    server.kill()  # nothing to flush: a graceful stop only waits on open streams
    runtime.db.dispose()


def test_the_bridge_follows_the_server_across_a_restart(
    floor: tuple[LiveServer, Api], tmp_path: Path
) -> None:
    server, api = floor
    for _ in range(4):
        api.issue("ho-tich")
    first = api.desk(3, "call-next").json["number"]  # before the bridge starts

    with LedEmulator(addresses=(3, 4), link=tmp_path / "ttyLED") as emulator:
        bridge = LedBridge(
            [LedRoute(3, emulator.path, 3), LedRoute(4, emulator.path, 4)],
            open_bus=lambda port: open_led_bus(port, timeout=0.3),
            blink_s=0.2,
        ).start()
        states = States(bridge)
        config = StreamConfig(server.url, api.tokens["board"], retry_max=0.5)
        stream = EventStream(config, states).start()
        try:
            eventually(lambda: emulator.boards[3].text == first)
            second = requests.post(
                f"{server.url}/api/v1/counters/{api.counters[4]}/call-next",
                headers={"Authorization": f"Bearer {api.tokens['admin']}"},
                timeout=10,
            ).json()["number"]
            eventually(lambda: emulator.boards[4].text == second)

            server.kill()
            third = api.desk(3, "call-next").json["number"]  # the console works on
            eventually(lambda: LinkState.OFFLINE in states.seen)
            assert emulator.boards[3].text == first
            server.start()
            eventually(lambda: emulator.boards[3].text == third)
            eventually(lambda: states.seen[-1] is LinkState.LIVE)
            assert stream.last_event_id == api.call("GET", "/queue").json["last_event_id"]
        finally:
            # Stopping wakes the thread blocked on the idle stream, instead of waiting
            # for the server's next heartbeat (15 s): a board stops promptly on SIGTERM.
            stopping = threading.Thread(target=stream.stop)
            stopping.start()
            stopping.join(5.0)
            bridge.stop()
    assert not stopping.is_alive() and not stream.is_alive()
