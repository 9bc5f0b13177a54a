"""Counter keypads over a real pty through the emulator: presses, feedback, noise, unplugging."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.errors import DeviceDisconnected
from drivers.keypad import Key, KeypadBus, Led, open_keypad_bus
from drivers.keypad.emulator import Feedback, KeypadEmulator
from drivers.keypad.protocol import key_press
from drivers.serial_frame import encode_frame

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[KeypadEmulator]:
    with KeypadEmulator(addresses=(2, 3), link=tmp_path / "ttyKEY") as emulator:
        yield emulator


@pytest.fixture
def bus(emulator: KeypadEmulator) -> Iterator[KeypadBus]:
    with open_keypad_bus(emulator.path, timeout=0.3) as bus:
        yield bus


def test_every_key_arrives_in_order_and_is_acknowledged(
    emulator: KeypadEmulator, bus: KeypadBus
) -> None:
    seqs = [emulator.press(key, address=2) for key in Key]
    events = [bus.read_event(2.0) for _ in Key]
    assert [(e.address, e.key, e.seq) for e in events if e] == [
        (2, key, seq) for key, seq in zip(Key, seqs, strict=True)
    ]
    assert emulator.wait_acked(2, seqs[-1])
    assert emulator.acked == [(2, seq) for seq in seqs]


def test_presses_are_told_apart_by_keypad(emulator: KeypadEmulator, bus: KeypadBus) -> None:
    emulator.press(Key.CALL_NEXT, address=3)
    emulator.press(Key.SATISFIED, address=2)
    events = [bus.read_event(2.0), bus.read_event(2.0)]
    assert [(e.address, e.key) for e in events if e] == [(3, Key.CALL_NEXT), (2, Key.SATISFIED)]


def test_feedback_lights_and_beeps_the_right_keypad(
    emulator: KeypadEmulator, bus: KeypadBus
) -> None:
    bus.feedback(3, Led.RED, beeps=2)
    bus.keypad(2).feedback(Led.GREEN)
    assert emulator.feedback == [Feedback(3, Led.RED, 2), Feedback(2, Led.GREEN, 1)]


def test_a_press_during_a_feedback_exchange_is_not_lost(
    emulator: KeypadEmulator, bus: KeypadBus
) -> None:
    """GIVEN the officer presses a key just as the host sends feedback
    THEN the press waits in the inbox and is read next."""
    emulator.press(Key.FINISH, address=2)
    bus.feedback(2, Led.AMBER, 0)
    event = bus.read_event(2.0)
    assert event is not None and event.key is Key.FINISH
    assert emulator.feedback == [Feedback(2, Led.AMBER, 0)]


def test_a_press_sent_again_is_reported_once_but_acknowledged_twice(
    emulator: KeypadEmulator, bus: KeypadBus
) -> None:
    seq = emulator.press(Key.NO_SHOW, address=2)
    emulator.send(key_press(2, Key.NO_SHOW, seq))  # the keypad missed our ACK and resent
    next_seq = emulator.press(Key.CALL_NEXT, address=2)
    assert [e.key for e in (bus.read_event(2.0), bus.read_event(2.0)) if e] == [
        Key.NO_SHOW,
        Key.CALL_NEXT,
    ]
    assert bus.read_event(0.1) is None
    assert emulator.wait_acked(2, next_seq)  # so every earlier ACK has been seen too
    assert emulator.acked == [(2, seq), (2, seq), (2, next_seq)]


def test_corrupted_press_is_rejected_by_checksum_and_the_next_one_read(
    emulator: KeypadEmulator, bus: KeypadBus
) -> None:
    damaged = bytearray(encode_frame(key_press(2, Key.RECALL, 77)))
    damaged[4] ^= 0x01
    emulator.send_raw(bytes(damaged))
    emulator.press(Key.VERY_SATISFIED, address=2)
    event = bus.read_event(2.0)
    assert event is not None and event.key is Key.VERY_SATISFIED
    assert bus.rejected_frames == 1
    assert (2, 77) not in emulator.acked


def test_corrupted_feedback_is_rejected_by_the_keypad_and_retried(
    emulator: KeypadEmulator, bus: KeypadBus
) -> None:
    emulator.corrupt_next_replies(1)  # the keypad's ACK is garbled on the way back
    bus.feedback(3, Led.GREEN, 1)
    assert bus.rejected_frames == 1
    assert emulator.feedback == [Feedback(3, Led.GREEN, 1)] * 2


def test_port_that_vanishes_and_comes_back(emulator: KeypadEmulator, bus: KeypadBus) -> None:
    emulator.press(Key.CALL_NEXT, address=2)
    assert bus.read_event(2.0) is not None
    emulator.vanish()
    with pytest.raises(DeviceDisconnected):
        bus.read_event(1.0)

    emulator.restore()
    bus.reconnect(attempts=3, sleep=lambda _: None)
    seq = emulator.press(Key.RECALL, address=2)
    event = bus.read_event(2.0)
    assert event is not None and (event.key, event.seq) == (Key.RECALL, seq)
    assert emulator.wait_acked(2, seq)
