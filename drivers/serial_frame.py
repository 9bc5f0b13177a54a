"""Framing shared by the counter LED boards and the counter keypads (RS-485 / RS-232).

One frame on the wire (see ``docs/protocols.md``)::

    STX  ADDR  CMD  LEN  PAYLOAD[LEN]  CRC_HI  CRC_LO
    02   01    10   04   41 30 32 33   xx     xx

* ``ADDR`` is the board or keypad the frame is for or from (1..247; 0 broadcasts
  and is never acknowledged), so several devices share one RS-485 bus.
* ``CRC`` is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over ADDR..PAYLOAD.
* There is no byte-stuffing: the length says where the frame ends and the CRC says
  whether it is real. A frame that fails the CRC is counted and logged, and the
  parser resynchronises on the next STX byte, so line noise costs one frame.

Everything here is pure: it builds and reads bytes, it does no I/O.
"""

from __future__ import annotations

import binascii
import logging
from dataclasses import dataclass
from enum import IntEnum

from drivers.errors import ProtocolError

logger = logging.getLogger(__name__)

STX = 0x02
HEADER_SIZE = 4  # STX, ADDR, CMD, LEN
CRC_SIZE = 2
MAX_PAYLOAD = 64
BROADCAST = 0
MAX_ADDRESS = 247


class Command(IntEnum):
    """Commands every framed device understands; families add their own from 0x10."""

    PING = 0x01
    ACK = 0x06
    NAK = 0x15


class NakReason(IntEnum):
    """Why a device refused a frame (second byte of a NAK payload)."""

    UNKNOWN_COMMAND = 0x01
    BAD_PAYLOAD = 0x02


@dataclass(frozen=True)
class Frame:
    """One decoded frame: who it concerns, what it asks, and its payload."""

    address: int
    command: int
    payload: bytes = b""

    def __post_init__(self) -> None:
        check_address(self.address)
        if not 0 <= self.command <= 0xFF:
            raise ValueError(f"command {self.command} is not a byte")
        if len(self.payload) > MAX_PAYLOAD:
            raise ValueError(f"payload of {len(self.payload)} bytes exceeds {MAX_PAYLOAD}")


def check_address(address: int) -> int:
    """Return ``address`` if a device can have it (0 broadcasts), else raise ``ValueError``."""
    if not 0 <= address <= MAX_ADDRESS:
        raise ValueError(f"address {address} is outside 0..{MAX_ADDRESS}")
    return address


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE, the checksum of every frame."""
    return binascii.crc_hqx(data, 0xFFFF)


def encode_frame(frame: Frame) -> bytes:
    """The exact bytes of ``frame`` on the wire."""
    body = bytes((frame.address, frame.command, len(frame.payload))) + frame.payload
    return bytes((STX,)) + body + crc16(body).to_bytes(CRC_SIZE, "big")


def decode_frame(data: bytes) -> Frame:
    """Decode exactly one frame, or raise :class:`ProtocolError` saying what is wrong."""
    if len(data) < HEADER_SIZE + CRC_SIZE or data[0] != STX:
        raise ProtocolError(f"not a frame: {data.hex(' ')}")
    length = data[3]
    if length > MAX_PAYLOAD or len(data) != HEADER_SIZE + length + CRC_SIZE:
        raise ProtocolError(f"frame length {length} does not match {len(data)} bytes")
    body, crc = data[1:-CRC_SIZE], int.from_bytes(data[-CRC_SIZE:], "big")
    if crc16(body) != crc:
        raise ProtocolError(f"checksum mismatch in {data.hex(' ')}")
    return Frame(body[0], body[1], bytes(body[3:]))


def ack(frame: Frame, data: bytes = b"") -> Frame:
    """The acknowledgement of ``frame``: it names the command it answers."""
    return Frame(frame.address, Command.ACK, bytes((frame.command,)) + data)


def nak(frame: Frame, reason: NakReason) -> Frame:
    """The refusal of ``frame`` with its reason."""
    return Frame(frame.address, Command.NAK, bytes((frame.command, reason)))


def answers(reply: Frame, request: Frame) -> bool:
    """Whether ``reply`` is the ACK or NAK of ``request``."""
    return (
        reply.address == request.address
        and reply.command in (Command.ACK, Command.NAK)
        and reply.payload[:1] == bytes((request.command,))
    )


class FrameParser:
    """Turns a byte stream into frames, skipping noise and frames with a bad checksum.

    ``rejected`` counts corrupted frames (bad checksum, impossible length, or cut
    short); a false start found inside a frame already rejected is not counted
    again. ``skipped`` counts bytes dropped while looking for the next STX.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._shadow = 0  # bytes still ahead that belong to the last rejected frame
        self.rejected = 0
        self.skipped = 0

    def feed(self, data: bytes) -> list[Frame]:
        """Add received bytes; return every complete, valid frame they finish."""
        self._buffer += data
        frames: list[Frame] = []
        while True:
            start = self._buffer.find(STX)
            self._drop(len(self._buffer) if start < 0 else start)
            if len(self._buffer) < HEADER_SIZE:
                return frames
            length = self._buffer[3]
            total = HEADER_SIZE + length + CRC_SIZE
            if length <= MAX_PAYLOAD:
                if len(self._buffer) < total:
                    return frames
                candidate = bytes(self._buffer[:total])
                body = candidate[1:-CRC_SIZE]
                valid = body[0] <= MAX_ADDRESS
                if valid and crc16(body) == int.from_bytes(candidate[-CRC_SIZE:], "big"):
                    self._buffer = self._buffer[total:]
                    self._shadow = 0
                    frames.append(Frame(body[0], body[1], body[3:]))
                    continue
            self._reject(f"frame rejected by checksum or length: {self._buffer[:total].hex(' ')}")
            self._shadow = max(self._shadow, min(total, len(self._buffer)))
            self._drop(1)  # resynchronise on the next STX

    def _drop(self, count: int) -> None:
        self.skipped += count
        self._shadow -= count
        del self._buffer[:count]

    def _reject(self, message: str) -> None:
        if self._shadow <= 0:
            self.rejected += 1
            logger.warning(message)

    @property
    def pending(self) -> int:
        """Bytes held for a frame that is not complete yet."""
        return len(self._buffer)

    def reset(self) -> None:
        """Forget a half-received frame (the port was reopened); keep the counters."""
        self._buffer.clear()
        self._shadow = 0

    def expire(self) -> list[Frame]:
        """Give up on an incomplete frame after the line went idle.

        A stray STX or a corrupted LEN byte would otherwise make the parser wait for
        bytes that never come; this drops it and returns any valid frame behind it.
        """
        if not self._buffer:
            return []
        self._reject(f"incomplete frame expired: {self._buffer.hex(' ')}")
        self._shadow = max(self._shadow, len(self._buffer))
        self._drop(1)
        return self.feed(b"")
