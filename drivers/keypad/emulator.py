"""Emulated counter keypads on a pty: press keys, see the host's ACKs and feedback."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drivers.errors import ProtocolError
from drivers.keypad import protocol
from drivers.keypad.protocol import Key, KeypadCommand, Led
from drivers.pty_emulator import PtyFrameEmulator
from drivers.serial_frame import Command, Frame, NakReason, ack, nak

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Feedback:
    address: int
    led: Led
    beeps: int


class KeypadEmulator(PtyFrameEmulator):
    """Keypads at ``addresses`` on one emulated bus.

    ``acked`` lists ``(address, seq)`` of every press the host acknowledged and
    ``feedback`` every LED/beep command received, in order.
    """

    def __init__(self, addresses: Iterable[int] = (1,), link: str | Path | None = None) -> None:
        super().__init__(link)
        self.addresses = set(addresses)
        self.acked: list[tuple[int, int]] = []
        self.feedback: list[Feedback] = []
        self._seq = dict.fromkeys(self.addresses, 0)
        self._acked_event = threading.Condition(self.lock)

    def press(self, key: Key, address: int | None = None) -> int:
        """Press ``key`` on keypad ``address`` (the only one by default); return its seq."""
        if address is None:
            (address,) = self.addresses
        with self.lock:
            self._seq[address] = (self._seq[address] + 1) & 0xFF
            seq = self._seq[address]
        self.send(protocol.key_press(address, key, seq))
        return seq

    def wait_acked(self, address: int, seq: int, timeout: float = 2.0) -> bool:
        """Block until the host acknowledged press ``seq`` of ``address`` (bounded)."""
        with self._acked_event:
            return self._acked_event.wait_for(lambda: (address, seq) in self.acked, timeout)

    def handle(self, frame: Frame) -> Iterable[Frame]:
        if frame.address not in self.addresses:
            return []
        match frame.command:
            case Command.PING:
                return [ack(frame)]
            case Command.ACK if frame.payload[:1] == bytes((KeypadCommand.KEY,)):
                self.acked.append((frame.address, frame.payload[1]))
                self._acked_event.notify_all()
                return []
            case KeypadCommand.FEEDBACK:
                try:
                    led, beeps = protocol.parse_feedback(frame)
                except ProtocolError as exc:
                    logger.warning("keypad %d refused %s", frame.address, exc)
                    return [nak(frame, NakReason.BAD_PAYLOAD)]
                self.feedback.append(Feedback(frame.address, led, beeps))
                return [ack(frame)]
        return [nak(frame, NakReason.UNKNOWN_COMMAND)]
