"""An incremental ESC/POS parser: bytes in, print jobs out. No I/O.

It understands what the driver sends (``ESC @``, ``ESC a``, ``ESC E``, ``ESC !``,
``GS !``, text in the code page ``ESC t n`` selects, ``GS v 0`` rasters, ``GS ( k``
QR codes, ``GS V`` cut, ``DLE EOT``) and skips other common commands by their
length. Bytes may arrive in any fragments: an incomplete command waits for the
rest. A job runs from its first printing command to the cut (or to a new ``ESC @``,
or :meth:`EscPosParser.flush` when the link closes or goes idle, for printers without a cutter).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image

from drivers.printer.codepage import page_table

Align = Literal["left", "center", "right"]
ALIGNMENTS: dict[int, Align] = {0: "left", 1: "center", 2: "right"}
_INVERT = bytes(255 - value for value in range(256))

ESC, GS, DLE = 0x1B, 0x1D, 0x10
LF, CR = 0x0A, 0x0D
#: ESC and GS commands the parser skips, with their count of parameter bytes.
_ESC_SKIP = {
    b"M": 1,
    b"-": 1,
    b"G": 1,
    b"{": 1,
    b"V": 1,
    b"2": 0,
    b"3": 1,
    b"J": 1,
    b"R": 1,
    b"p": 3,
    b"U": 1,
    b" ": 1,
    b"c": 2,
}
_GS_SKIP = {
    b"B": 1,
    b"L": 2,
    b"W": 2,
    b"h": 1,
    b"w": 1,
    b"H": 1,
    b"f": 1,
    b"a": 1,
    b"r": 1,
    b"b": 1,
    b"P": 2,
}
_QR = 0x31
_QR_SIZE, _QR_EC, _QR_STORE, _QR_PRINT = 0x43, 0x45, 0x50, 0x51


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    width: int
    height: int
    bold: bool
    align: Align


@dataclass(frozen=True, slots=True)
class Raster:
    image: Image.Image = field(compare=False)  # "L": 0 is a printed dot
    align: Align


@dataclass(frozen=True, slots=True)
class QrCode:
    payload: str
    module_size: int
    error_correction: str
    align: Align


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int


PrintOp = TextLine | Raster | QrCode | Feed


@dataclass(slots=True)
class ParsedJob:
    """One print job as the printer understood it."""

    ops: list[PrintOp] = field(default_factory=list)
    cut: bool = False
    status_queries: list[int] = field(default_factory=list)
    unknown_commands: list[str] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    byte_count: int = 0

    @property
    def text(self) -> str:
        return "\n".join(op.text for op in self.ops if isinstance(op, TextLine))

    @property
    def qr_payloads(self) -> list[str]:
        return [op.payload for op in self.ops if isinstance(op, QrCode)]

    @property
    def rasters(self) -> list[Raster]:
        return [op for op in self.ops if isinstance(op, Raster)]


class _Incomplete(Exception):
    """The buffer ends inside a command; wait for more bytes."""


class EscPosParser:
    """Feed it bytes; it calls ``on_status(n)`` for each ``DLE EOT n`` and ``on_job`` per job.

    ``pages`` are the model's code pages (``ESC t`` number -> its 256 characters,
    :func:`drivers.printer.codepage.model_pages`); page 0 is CP437 unless given. Text
    reads back NFC-normalised: a CP1258 tone mark joins the letter before it.
    """

    def __init__(
        self,
        on_job: Callable[[ParsedJob], None],
        on_status: Callable[[int], None] = lambda n: None,
        pages: Mapping[int, str] | None = None,
    ) -> None:
        self._on_job = on_job
        self._on_status = on_status
        self._pages = {0: page_table("CP437"), **(pages or {})}
        self._buffer = bytearray()
        self._pending_queries: list[int] = []
        self._job: ParsedJob | None = None
        self._reset_modes()

    def _reset_modes(self) -> None:
        self._align: Align = "left"
        self._width = self._height = 1
        self._bold = False
        self._page = self._pages[0]
        self._line: list[str] = []
        self._qr_size, self._qr_ec, self._qr_data = 3, "L", b""

    @property
    def in_job(self) -> bool:
        return self._job is not None

    def feed(self, data: bytes) -> None:
        self._buffer += data
        position = 0
        try:
            while position < len(self._buffer):
                position = self._command(position)
        except _Incomplete:
            pass
        del self._buffer[:position]

    def flush(self) -> None:
        """End the current job without a cut (link closed or idle)."""
        self._finish(cut=False)

    # --- commands -----------------------------------------------------------

    def _need(self, position: int, count: int) -> bytes:
        if position + count > len(self._buffer):
            raise _Incomplete
        return bytes(self._buffer[position : position + count])

    def _command(self, start: int) -> int:
        first = self._buffer[start]
        if first == DLE:
            return self._dle(start)
        job = self._current_job()
        end = self._esc(start) if first == ESC else self._gs(start) if first == GS else None
        if end is None:
            end = start + 1
            if first == LF:
                self._end_line()
            elif first >= 0x20:
                self._line.append(self._page[first].replace("\0", "\ufffd"))
        job.byte_count += end - start
        return end

    def _dle(self, start: int) -> int:
        code, n = self._need(start + 1, 2)
        if code != 0x04:
            self._current_job().unknown_commands.append(f"10 {code:02x}")
            return start + 2
        self._pending_queries.append(n)
        self._on_status(n)
        return start + 3

    def _esc(self, start: int) -> int | None:
        command = self._need(start + 1, 1)
        if command == b"@":
            if self._job is not None and (self._job.ops or self._line):
                self._finish(cut=False)
                self._current_job()
            self._reset_modes()
            return start + 2
        if command in (b"a", b"E", b"!", b"d", b"t"):
            value = self._need(start + 2, 1)[0]
            if command == b"t":
                self._page = self._pages.get(value, self._pages[0])
                if value not in self._pages:
                    self._current_job().unknown_commands.append(f"1b 74 {value:02x}")
            elif command == b"a":
                self._align = ALIGNMENTS.get(value % 48, "left")
            elif command == b"E":
                self._bold = bool(value & 1)
            elif command == b"!":
                self._bold = bool(value & 0x08)
                self._height = 2 if value & 0x10 else 1
                self._width = 2 if value & 0x20 else 1
            else:
                self._end_line(allow_empty=False)
                self._current_job().ops.append(Feed(value))
            return start + 3
        if command == b"*":
            mode, low, high = self._need(start + 2, 3)
            columns = low + 256 * high
            length = columns * (3 if mode in (32, 33) else 1)
            self._need(start + 5, length)
            return start + 5 + length
        return self._skip(start, command, _ESC_SKIP, "1b")

    def _gs(self, start: int) -> int | None:
        command = self._need(start + 1, 1)
        if command == b"!":
            value = self._need(start + 2, 1)[0]
            self._width, self._height = (value >> 4) + 1, (value & 0x0F) + 1
            return start + 3
        if command == b"v":
            return self._raster(start)
        if command == b"(":
            _, low, high = self._need(start + 2, 3)
            length = low + 256 * high
            body = self._need(start + 5, length)
            if self._need(start + 2, 1) == b"k":
                self._two_d_code(body)
            return start + 5 + length
        if command == b"k":
            return self._barcode(start)
        if command == b"V":
            mode = self._need(start + 2, 1)[0]
            end = start + (4 if mode in (65, 66) else 3)
            self._need(start, end - start)
            self._end_line(allow_empty=False)
            self._finish(cut=True)
            return end
        return self._skip(start, command, _GS_SKIP, "1d")

    def _skip(self, start: int, command: bytes, table: dict[bytes, int], prefix: str) -> int:
        if command in table:
            self._need(start + 2, table[command])
            return start + 2 + table[command]
        self._current_job().unknown_commands.append(f"{prefix} {command.hex()}")
        return start + 2

    def _barcode(self, start: int) -> int:
        """``GS k m``: NUL-terminated data for m 0-6, else a length byte; recorded as text."""
        mode = self._need(start + 2, 1)[0]
        if mode <= 6:
            end = self._buffer.find(0, start + 3)
            if end < 0:
                raise _Incomplete
            data, after = bytes(self._buffer[start + 3 : end]), end + 1
        else:
            length = self._need(start + 3, 1)[0]
            data, after = self._need(start + 4, length), start + 4 + length
        self._end_line(allow_empty=False)
        self._current_job().barcodes.append(data.decode("latin-1"))
        return after

    def _raster(self, start: int) -> int:
        _, _, low_x, high_x, low_y, high_y = self._need(start + 2, 6)
        width_bytes, height = low_x + 256 * high_x, low_y + 256 * high_y
        data = self._need(start + 8, width_bytes * height)
        self._end_line(allow_empty=False)
        image = Image.frombytes("1", (width_bytes * 8, height), data.translate(_INVERT))
        self._current_job().ops.append(Raster(image.convert("L"), self._align))
        return start + 8 + width_bytes * height

    def _two_d_code(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != _QR:
            return
        function = body[1]
        if function == _QR_SIZE and len(body) > 2:
            self._qr_size = body[2]
        elif function == _QR_EC and len(body) > 2:
            self._qr_ec = "LMQH"[(body[2] - 48) % 4]
        elif function == _QR_STORE:
            self._qr_data = body[3:]
        elif function == _QR_PRINT and self._qr_data:
            payload = self._qr_data.decode("utf-8", errors="replace")
            self._current_job().ops.append(QrCode(payload, self._qr_size, self._qr_ec, self._align))

    # --- job bookkeeping ----------------------------------------------------

    def _current_job(self) -> ParsedJob:
        if self._job is None:
            self._job = ParsedJob()
        return self._job

    def _end_line(self, allow_empty: bool = True) -> None:
        if not self._line and not allow_empty:
            return
        text = unicodedata.normalize("NFC", "".join(self._line))
        self._line.clear()
        op = TextLine(text, self._width, self._height, self._bold, self._align)
        self._current_job().ops.append(op if text else Feed(1))

    def _finish(self, cut: bool) -> None:
        job = self._job
        if job is None:
            return
        if self._line:
            self._end_line()
        self._job = None
        job.cut = cut
        job.status_queries = self._pending_queries
        self._pending_queries = []
        if job.ops or cut:
            self._on_job(job)
