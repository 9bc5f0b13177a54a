"""Keypad frames: key presses, the host's acknowledgement, LED and beep feedback."""

from __future__ import annotations

import pytest

from drivers.errors import ProtocolError
from drivers.keypad import protocol
from drivers.keypad.protocol import Key, Led
from drivers.serial_frame import Frame, encode_frame


def test_key_press_exact_bytes() -> None:
    press = protocol.key_press(2, Key.CALL_NEXT, 7)
    assert encode_frame(press) == bytes.fromhex("02 02 20 02 01 07 4f 77")
    assert encode_frame(protocol.key_ack(press)) == bytes.fromhex("02 02 06 02 20 07 6a 77")


def test_feedback_exact_bytes() -> None:
    frame = protocol.feedback(2, Led.GREEN, 1)
    assert encode_frame(frame) == bytes.fromhex("02 02 21 02 01 01 59 05")
    assert protocol.parse_feedback(frame) == (Led.GREEN, 1)


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (Key.CALL_NEXT, 0x01),
        (Key.RECALL, 0x02),
        (Key.FINISH, 0x03),
        (Key.NO_SHOW, 0x04),
        (Key.VERY_SATISFIED, 0x11),
        (Key.SATISFIED, 0x12),
        (Key.NOT_SATISFIED, 0x13),
    ],
)
def test_every_key_round_trips(key: Key, code: int) -> None:
    frame = protocol.key_press(9, key, 300)
    assert frame.payload == bytes((code, 300 % 256))
    assert protocol.parse_key_press(frame) == (key, 44)


@pytest.mark.parametrize(
    "frame", [Frame(2, 0x20, b"\x7f\x01"), Frame(2, 0x20, b"\x01"), Frame(2, 0x21, b"\x01\x01")]
)
def test_unknown_keys_and_short_frames_are_protocol_errors(frame: Frame) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_key_press(frame)


@pytest.mark.parametrize("payload", [b"\x09\x01", b"\x01\x06", b"\x01"])
def test_bad_feedback_is_a_protocol_error(payload: bytes) -> None:
    with pytest.raises(ProtocolError):
        protocol.parse_feedback(Frame(2, 0x21, payload))


def test_too_many_beeps_are_refused_before_sending() -> None:
    with pytest.raises(ValueError):
        protocol.feedback(2, Led.RED, 6)
