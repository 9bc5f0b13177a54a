"""LED boards over a real pty through the emulator: what they show, noise, unplugging."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from drivers.errors import DeviceDisconnected, DeviceNotFound, DeviceTimeout, ProtocolError
from drivers.led import LedBus, open_led_bus, protocol
from drivers.led.emulator import LedEmulator
from drivers.led.protocol import BoardState
from drivers.serial_frame import Frame, encode_frame

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[LedEmulator]:
    with LedEmulator(addresses=(1, 5), link=tmp_path / "ttyLED") as emulator:
        yield emulator


@pytest.fixture
def bus(emulator: LedEmulator) -> Iterator[LedBus]:
    with open_led_bus(emulator.path, timeout=0.3) as bus:
        yield bus


def test_each_addressed_board_shows_what_it_was_sent(emulator: LedEmulator, bus: LedBus) -> None:
    board = bus.board(5)
    board.show_number("A023")
    board.blink(0.5)
    board.set_brightness(60)
    bus.board(1).show_text("Tạm dừng")

    assert emulator.boards[5] == BoardState(text="A023", blink=0.5, brightness=60)
    assert emulator.boards[1] == BoardState(text="Tạm dừng", blink=0.0, brightness=100)
    assert emulator.received[0] == protocol.show_number(5, "A023")


def test_broadcast_reaches_every_board_without_an_answer(
    emulator: LedEmulator, bus: LedBus
) -> None:
    bus.board(1).show_number("B001")
    bus.board(5).show_number("B002")
    bus.request(protocol.blank(0))
    assert bus.board(1).ping()  # the ping's ACK also shows the broadcast was handled
    assert [emulator.boards[a].text for a in (1, 5)] == ["", ""]


def test_a_board_that_is_not_there_times_out(bus: LedBus) -> None:
    assert not bus.board(9).ping()
    with pytest.raises(DeviceTimeout, match="device 9"):
        bus.board(9).show_number("A001")


def test_a_refused_command_is_a_protocol_error(bus: LedBus) -> None:
    with pytest.raises(ProtocolError, match="0x7f"):
        bus.request(Frame(5, 0x7F))


def test_corrupted_frame_from_the_host_is_rejected_by_the_board(
    emulator: LedEmulator, bus: LedBus
) -> None:
    """GIVEN noise flipped a bit of a frame on its way to the board
    THEN the board rejects it by checksum, shows nothing new, and takes the next frame."""
    damaged = bytearray(encode_frame(protocol.show_number(5, "X999")))
    damaged[5] ^= 0x04
    with serial.Serial(emulator.path) as line:  # a second writer on the bus
        line.write(bytes(damaged))
        line.flush()
    bus.board(5).show_number("A024")
    assert emulator.rejected == 1
    assert emulator.boards[5].text == "A024"
    assert protocol.show_number(5, "X999") not in emulator.received


def test_corrupted_ack_is_rejected_and_the_command_retried(
    emulator: LedEmulator, bus: LedBus
) -> None:
    emulator.corrupt_next_replies(1)
    bus.board(5).show_number("C300")
    assert bus.rejected_frames == 1
    assert emulator.received.count(protocol.show_number(5, "C300")) == 2
    assert emulator.boards[5].text == "C300"


def test_without_retries_a_corrupted_ack_is_a_timeout(emulator: LedEmulator) -> None:
    with LedBus(emulator.path, timeout=0.2, retries=0) as bus:
        emulator.corrupt_next_replies(1)
        with pytest.raises(DeviceTimeout):
            bus.board(1).show_number("D400")
        assert bus.rejected_frames == 1


def test_port_that_vanishes_and_comes_back(emulator: LedEmulator, bus: LedBus) -> None:
    """GIVEN the USB-RS485 adapter is pulled while a board shows A023
    THEN the next command raises DeviceDisconnected, reopening fails while it is away,
    and once it is back ``reconnect`` reopens the same path and the board takes commands."""
    board = bus.board(5)
    board.show_number("A023")
    emulator.vanish()

    with pytest.raises(DeviceDisconnected):
        board.show_number("A024")
    assert not bus.is_open
    slept: list[float] = []
    with pytest.raises(DeviceNotFound):
        bus.reconnect(attempts=3, sleep=slept.append)
    assert slept == [0.2, 0.4]

    emulator.restore()
    bus.reconnect(attempts=3, sleep=slept.append)
    board.show_number("A025")
    assert emulator.boards[5].text == "A025"
