"""ESC/POS real-time status (``DLE EOT n``): the query bytes and what the answers mean.

The driver and the emulator both use this module, so the printer that answers
and the driver that asks agree on every bit. Each answer is one byte whose bits
1 and 4 are always set and bits 0 and 7 always clear; anything else is not a
status byte (a printer echoing garbage, or the wrong baud rate).
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import CoverOpen, DriverError, PaperOut, PrinterOffline, ProtocolError

DLE_EOT = b"\x10\x04"
PRINTER = 1  # n=1: printer status (bit 3: offline)
OFFLINE_CAUSE = 2  # n=2: offline cause (bit 2: cover open, bit 5: stopped by paper end)
ROLL_PAPER = 4  # n=4: roll paper sensor (bits 2-3: near end, bits 5-6: paper end)
QUERIED = (PRINTER, OFFLINE_CAUSE, ROLL_PAPER)
#: What the driver sends: the three queries in one write, answered by three bytes in order.
STATUS_QUERY = b"".join(DLE_EOT + bytes([n]) for n in QUERIED)

_FIXED_MASK = 0x93
_FIXED_BITS = 0x12
_OFFLINE = 0x08
_COVER_OPEN = 0x04
_STOPPED_BY_PAPER_END = 0x20
_NEAR_END = 0x0C
_PAPER_END = 0x60


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the printer said about itself; ``problem()`` says whether it can print now.

    ``verified`` is False for write-only links (a file), which cannot report status.
    """

    online: bool
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    verified: bool = True

    def problem(self) -> DriverError | None:
        """The typed error a job would fail with, most specific cause first; None if ready."""
        if self.cover_open:
            return CoverOpen()
        if self.paper_out:
            return PaperOut()
        if not self.online:
            return PrinterOffline()
        return None

    def raise_for_problem(self) -> None:
        error = self.problem()
        if error is not None:
            raise error


def decode_status(answers: bytes) -> PrinterStatus:
    """Decode the three answer bytes to :data:`STATUS_QUERY`."""
    if len(answers) != len(QUERIED):
        raise ProtocolError(f"expected {len(QUERIED)} status bytes, got {answers!r}")
    for byte in answers:
        if byte & _FIXED_MASK != _FIXED_BITS:
            raise ProtocolError(f"not an ESC/POS status byte: 0x{byte:02x} in {answers!r}")
    printer, cause, paper = answers
    return PrinterStatus(
        online=not printer & _OFFLINE,
        cover_open=bool(cause & _COVER_OPEN),
        paper_out=bool(paper & _PAPER_END) or bool(cause & _STOPPED_BY_PAPER_END),
        paper_near_end=bool(paper & _NEAR_END),
    )


def encode_status(status: PrinterStatus, n: int) -> bytes:
    """The byte a printer in ``status`` answers to ``DLE EOT n`` (used by the emulator)."""
    value = _FIXED_BITS
    if n == PRINTER and not status.online:
        value |= _OFFLINE
    elif n == OFFLINE_CAUSE:
        value |= (_COVER_OPEN if status.cover_open else 0) | (
            _STOPPED_BY_PAPER_END if status.paper_out else 0
        )
    elif n == ROLL_PAPER:
        value |= (_NEAR_END if status.paper_near_end else 0) | (
            _PAPER_END if status.paper_out else 0
        )
    return bytes([value])
