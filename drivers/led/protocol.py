"""Frames of the counter LED board (pure; the framing itself is :mod:`drivers.serial_frame`).

| command      | code | payload                                             |
|--------------|------|-----------------------------------------------------|
| SHOW_NUMBER  | 0x10 | ASCII ``[0-9A-Z]``, 1..8 characters, e.g. ``A023``  |
| SHOW_TEXT    | 0x11 | UTF-8 text in NFC, at most 64 bytes                 |
| BLANK        | 0x12 | none                                                |
| BLINK        | 0x13 | one byte: half-period in 100 ms units; 0 = steady   |
| BRIGHTNESS   | 0x14 | one byte: 0..100 percent                            |

The board answers each addressed command with ``ACK [command]`` after applying it,
or ``NAK [command, reason]`` when it cannot.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from drivers.serial_frame import MAX_PAYLOAD, Frame

NUMBER_PATTERN = re.compile(r"[0-9A-Z]{1,8}")


class LedCommand(IntEnum):
    SHOW_NUMBER = 0x10
    SHOW_TEXT = 0x11
    BLANK = 0x12
    BLINK = 0x13
    BRIGHTNESS = 0x14


def show_number(address: int, number: str) -> Frame:
    """Show a ticket number such as ``A023``; upper-cased, digits and Latin letters only."""
    number = number.strip().upper()
    if not NUMBER_PATTERN.fullmatch(number):
        raise ValueError(f"an LED number is 1..8 of 0-9 A-Z, not {number!r}")
    return Frame(address, LedCommand.SHOW_NUMBER, number.encode("ascii"))


def show_text(address: int, text: str) -> Frame:
    """Show free text (e.g. ``Tạm dừng``); sent as NFC UTF-8 so every board reads it alike."""
    data = unicodedata.normalize("NFC", text).encode("utf-8")
    if len(data) > MAX_PAYLOAD:
        raise ValueError(f"text is {len(data)} bytes in UTF-8; a board takes {MAX_PAYLOAD}")
    return Frame(address, LedCommand.SHOW_TEXT, data)


def blank(address: int) -> Frame:
    return Frame(address, LedCommand.BLANK)


def blink(address: int, half_period: float = 0.5) -> Frame:
    """Blink with ``half_period`` seconds on then off (0.1..25.5 s); 0 stops blinking."""
    units = round(half_period * 10)
    if not 0 <= units <= 0xFF:
        raise ValueError(f"blink half-period {half_period} s is outside 0..25.5 s")
    return Frame(address, LedCommand.BLINK, bytes((units,)))


def brightness(address: int, percent: int) -> Frame:
    if not 0 <= percent <= 100:
        raise ValueError(f"brightness {percent} is outside 0..100 %")
    return Frame(address, LedCommand.BRIGHTNESS, bytes((percent,)))


@dataclass
class BoardState:
    """What one board shows; the emulator keeps one per address."""

    text: str = ""
    blink: float = 0.0
    brightness: int = 100

    def apply(self, frame: Frame) -> None:
        """Apply a command frame; raise ``ValueError`` for a payload the board rejects."""
        payload = frame.payload
        match frame.command:
            case LedCommand.SHOW_NUMBER:
                text = payload.decode("ascii", errors="replace")
                if not NUMBER_PATTERN.fullmatch(text):
                    raise ValueError(f"bad number {payload!r}")
                self.text = text
            case LedCommand.SHOW_TEXT:
                self.text = payload.decode("utf-8")
            case LedCommand.BLANK:
                self.text = ""
            case LedCommand.BLINK if len(payload) == 1:
                self.blink = payload[0] / 10
            case LedCommand.BRIGHTNESS if len(payload) == 1 and payload[0] <= 100:
                self.brightness = payload[0]
            case _:
                raise ValueError(f"bad payload {payload!r} for command 0x{frame.command:02x}")
