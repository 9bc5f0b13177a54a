"""Emulated counter LED boards on a pty: every addressed board keeps what it shows."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from drivers.led.protocol import BoardState, LedCommand
from drivers.pty_emulator import PtyFrameEmulator
from drivers.serial_frame import BROADCAST, Command, Frame, NakReason, ack, nak

logger = logging.getLogger(__name__)


class LedEmulator(PtyFrameEmulator):
    """Boards at ``addresses`` sharing one emulated bus; ``boards[n]`` is board n's state."""

    def __init__(self, addresses: Iterable[int] = (1,), link: str | Path | None = None) -> None:
        super().__init__(link)
        self.boards = {address: BoardState() for address in addresses}

    def handle(self, frame: Frame) -> Iterable[Frame]:
        if frame.address == BROADCAST:
            targets = list(self.boards)
        elif frame.address in self.boards:
            targets = [frame.address]
        else:
            return []  # another device's frame: stay silent, as on a real bus
        if frame.command == Command.PING:
            return [ack(frame)]
        try:
            LedCommand(frame.command)
        except ValueError:
            return [nak(frame, NakReason.UNKNOWN_COMMAND)]
        try:
            for address in targets:
                self.boards[address].apply(frame)
        except (ValueError, UnicodeDecodeError) as exc:
            logger.warning("board %d refused %s: %s", frame.address, frame, exc)
            return [nak(frame, NakReason.BAD_PAYLOAD)]
        return [] if frame.address == BROADCAST else [ack(frame)]
