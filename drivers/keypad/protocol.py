"""Frames of the counter keypad (pure; the framing itself is :mod:`drivers.serial_frame`).

| command  | code | direction      | payload                                       |
|----------|------|----------------|-----------------------------------------------|
| KEY      | 0x20 | keypad -> host | ``[key, seq]``; seq counts presses mod 256    |
| FEEDBACK | 0x21 | host -> keypad | ``[led, beeps]``; led 0 off 1 green 2 red 3 amber; beeps 0..5 |

The host acknowledges a KEY with ``ACK [0x20, seq]``. A keypad that gets no ACK
may send the same press again with the same ``seq``; the host reports it once.
"""

from __future__ import annotations

from enum import IntEnum

from drivers.errors import ProtocolError
from drivers.serial_frame import Command, Frame

MAX_BEEPS = 5


class KeypadCommand(IntEnum):
    KEY = 0x20
    FEEDBACK = 0x21


class Key(IntEnum):
    """The keys of a counter keypad: officer keys, then the visitor's rating keys."""

    CALL_NEXT = 0x01
    RECALL = 0x02
    FINISH = 0x03
    NO_SHOW = 0x04
    VERY_SATISFIED = 0x11
    SATISFIED = 0x12
    NOT_SATISFIED = 0x13


class Led(IntEnum):
    OFF = 0
    GREEN = 1
    RED = 2
    AMBER = 3


def key_press(address: int, key: Key, seq: int) -> Frame:
    return Frame(address, KeypadCommand.KEY, bytes((key, seq & 0xFF)))


def parse_key_press(frame: Frame) -> tuple[Key, int]:
    """The key and sequence number of a KEY frame."""
    if frame.command != KeypadCommand.KEY or len(frame.payload) != 2:
        raise ProtocolError(f"not a key press: {frame}")
    try:
        return Key(frame.payload[0]), frame.payload[1]
    except ValueError as exc:
        raise ProtocolError(f"unknown key 0x{frame.payload[0]:02x}") from exc


def key_ack(frame: Frame) -> Frame:
    """The host's acknowledgement of a KEY frame (names the command and the seq)."""
    return Frame(frame.address, Command.ACK, bytes((KeypadCommand.KEY,)) + frame.payload[1:2])


def feedback(address: int, led: Led = Led.GREEN, beeps: int = 1) -> Frame:
    if not 0 <= beeps <= MAX_BEEPS:
        raise ValueError(f"beeps {beeps} is outside 0..{MAX_BEEPS}")
    return Frame(address, KeypadCommand.FEEDBACK, bytes((led, beeps)))


def parse_feedback(frame: Frame) -> tuple[Led, int]:
    if frame.command != KeypadCommand.FEEDBACK or len(frame.payload) != 2:
        raise ProtocolError(f"not a feedback frame: {frame}")
    led, beeps = frame.payload
    try:
        if beeps > MAX_BEEPS:
            raise ValueError(beeps)
        return Led(led), beeps
    except ValueError as exc:
        raise ProtocolError(f"bad feedback payload {frame.payload.hex(' ')}") from exc
