"""Counter keypads on a serial bus (RS-485, or RS-232 for a single keypad)."""

from __future__ import annotations

import logging
import time
from typing import Any

from drivers.errors import ProtocolError
from drivers.frame_link import FrameLink
from drivers.keypad import protocol
from drivers.keypad.base import KeyEvent
from drivers.keypad.protocol import KeypadCommand, Led
from drivers.serial_frame import check_address

logger = logging.getLogger(__name__)


class KeypadBus(FrameLink):
    """The serial line the keypads hang on.

    :meth:`read_event` acknowledges every key press and reports a repeated press
    (same keypad, same sequence number, sent again because our ACK was lost) once.
    """

    def __init__(self, port: str, **kwargs: Any) -> None:
        super().__init__(port, **kwargs)
        self._last_seq: dict[int, int] = {}

    def keypad(self, address: int) -> Keypad:
        return Keypad(self, address)

    def read_event(self, timeout: float | None = None) -> KeyEvent | None:
        """The next key press from any keypad, or ``None`` after ``timeout`` seconds."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while (remaining := deadline - time.monotonic()) > 0:
            frame = self.read_frame(remaining)
            if frame is None:
                return None
            if frame.command != KeypadCommand.KEY:
                logger.debug("ignoring unsolicited %s", frame)
                continue
            try:
                key, seq = protocol.parse_key_press(frame)
            except ProtocolError as exc:
                logger.warning("keypad %d: %s", frame.address, exc)
                continue
            self.send(protocol.key_ack(frame))
            if self._last_seq.get(frame.address) == seq:
                continue
            self._last_seq[frame.address] = seq
            return KeyEvent(frame.address, key, seq, time.time())
        return None

    def feedback(self, address: int, led: Led = Led.GREEN, beeps: int = 1) -> None:
        """Light the keypad's LED and beep, waiting for its ACK."""
        self.request(protocol.feedback(address, led, beeps))


class Keypad:
    """One keypad on a bus, for code that serves a single counter."""

    def __init__(self, bus: KeypadBus, address: int) -> None:
        self.bus = bus
        self.address = check_address(address)

    def feedback(self, led: Led = Led.GREEN, beeps: int = 1) -> None:
        self.bus.feedback(self.address, led, beeps)

    def ping(self) -> bool:
        return self.bus.ping(self.address)


def open_keypad_bus(port: str, *, baudrate: int = 9600, timeout: float = 0.5) -> KeypadBus:
    """Open the bus on ``port``; close it with ``close()`` or use it in ``with``."""
    return KeypadBus(port, baudrate=baudrate, timeout=timeout).open()
