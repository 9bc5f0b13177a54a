"""The LED bridge drives emulated boards over ptys: current state on start, calls,
pauses, two ports, and an adapter unplugged while calls keep coming."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from device_kit.event_stream import Event
from display_board.led_bridge import LedBridge, LedRoute
from drivers.led import open_led_bus
from drivers.led.emulator import LedEmulator
from drivers.led.protocol import BoardState

pytestmark = pytest.mark.timeout(60)


def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    """Wait (bounded) for the bridge's worker threads to reach a state."""
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "the boards never reached the expected state"
        time.sleep(0.02)


def snapshot(last_event_id: int, counters: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "site": "default",
        "last_event_id": last_event_id,
        "counters": [
            {"id": 100 + n, "number": n, "name": f"Quầy {n}", "state": "open", **row}
            for n, row in counters.items()
        ],
    }


def called(event_id: int, counter: int, number: str, ticket_id: int) -> Event:
    return Event(
        event_id,
        "ticket.called",
        {"counter": counter, "ticket": {"id": ticket_id, "number": number}},
    )


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[LedEmulator, LedEmulator]]:
    with (
        LedEmulator(addresses=(1, 2), link=tmp_path / "ttyA") as left,
        LedEmulator(addresses=(7,), link=tmp_path / "ttyB") as right,
    ):
        yield left, right


def start_bridge(left: LedEmulator, right: LedEmulator) -> LedBridge:
    routes = [
        LedRoute.parse(f"1={left.path}:1"),
        LedRoute.parse(f"2={left.path}:2"),
        LedRoute.parse(f"3={right.path}:7"),
    ]
    return LedBridge(
        routes, open_bus=lambda port: open_led_bus(port, timeout=0.3), blink_s=0.3, retry_max=0.5
    ).start()


@pytest.fixture
def bridge(hall: tuple[LedEmulator, LedEmulator]) -> Iterator[LedBridge]:
    bridge = start_bridge(*hall)
    yield bridge
    bridge.stop()


@pytest.fixture
def restarted_bridge(hall: tuple[LedEmulator, LedEmulator]) -> Iterator[LedBridge]:
    """A bridge started while a board still shows a number from before a restart."""
    hall[0].boards[2] = BoardState(text="X999")
    bridge = start_bridge(*hall)
    yield bridge
    bridge.stop()


def test_on_start_every_board_shows_the_current_state(
    hall: tuple[LedEmulator, LedEmulator], restarted_bridge: LedBridge
) -> None:
    left, right = hall
    bridge = restarted_bridge
    bridge.on_snapshot(
        snapshot(
            10,
            {
                1: {"current_ticket": {"id": 1, "number": "A001"}},
                2: {"current_ticket": None},
                3: {"state": "paused", "pause_reason": "Họp", "current_ticket": None},
            },
        )
    )
    eventually(lambda: right.boards[7].text == "Tạm dừng" and left.boards[1].text == "A001")
    eventually(lambda: left.boards[2].text == "")
    assert left.boards[1].blink == 0.0


def test_a_call_shows_the_number_blinking_then_steady(
    hall: tuple[LedEmulator, LedEmulator], bridge: LedBridge
) -> None:
    left, _ = hall
    bridge.on_snapshot(snapshot(0, {1: {}, 2: {}, 3: {}}))
    bridge.on_event(called(1, 2, "B005", 5))
    eventually(lambda: left.boards[2] == BoardState(text="B005", blink=0.5))
    eventually(lambda: left.boards[2] == BoardState(text="B005", blink=0.0))
    bridge.on_event(Event(2, "ticket.finished", {"counter": 2, "ticket": {"id": 5}}))
    eventually(lambda: left.boards[2].text == "")


def test_an_unplugged_port_catches_up_when_it_returns_and_the_other_port_goes_on(
    hall: tuple[LedEmulator, LedEmulator], bridge: LedBridge
) -> None:
    left, right = hall
    bridge.on_snapshot(snapshot(0, {1: {}, 2: {}, 3: {}}))
    bridge.on_event(called(1, 1, "A001", 1))
    eventually(lambda: left.boards[1].text == "A001")

    left.vanish()
    bridge.on_event(called(2, 1, "A002", 2))
    bridge.on_event(called(3, 2, "B001", 3))
    bridge.on_event(called(4, 3, "C001", 4))
    eventually(lambda: right.boards[7].text == "C001")
    assert left.boards[1].text == "A001"

    left.restore()
    eventually(lambda: left.boards[1].text == "A002" and left.boards[2].text == "B001")


def test_route_parsing() -> None:
    assert LedRoute.parse("12=/dev/ttyUSB0:5") == LedRoute(12, "/dev/ttyUSB0", 5)
    with pytest.raises(ValueError, match="COUNTER=PORT:ADDRESS"):
        LedRoute.parse("12=/dev/ttyUSB0")
    assert LedRoute.parse("12=/dev/ttyUSB0:247").address == 247
    assert LedRoute.parse("12=/dev/ttyUSB0:0").address == 0  # broadcast: every board
    for address in (248, 999):  # beyond the bus: refused here, not in the port's worker
        with pytest.raises(ValueError, match=r"address is 0\.\.247"):
            LedRoute.parse(f"12=/dev/ttyUSB0:{address}")
