"""Barcode scanner in serial mode (RS-232 or USB-CDC ``/dev/ttyACM0``).

A scanner sends the payload followed by CR, LF or CR LF, depending on its
setup. :class:`LineFramer` cuts the byte stream into payloads without caring
which: it is pure and takes any chunking, so a line split across reads, noise
on the line when the cable is plugged in, or a scanner that never sends a
terminator cannot break it or grow memory without bound.
"""

from __future__ import annotations

import logging
import re
import threading
import time

import serial

from drivers.errors import (
    DeviceDisconnected,
    DriverError,
)
from drivers.scanner.base import Clock, ErrorCallback, ScanCallback, ScanStream
from drivers.serial_port import LINE_FAULTS, close_quietly, open_exclusive

log = logging.getLogger(__name__)
traffic = logging.getLogger("drivers.traffic.scanner")

MAX_PAYLOAD_BYTES = 4096
READ_CHUNK_BYTES = 512
_TERMINATOR = re.compile(rb"[\r\n]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LineFramer:
    """Bytes in, payloads out: one payload per non-empty CR- or LF-terminated line.

    Control characters and bytes that are not UTF-8 are dropped. A line longer
    than ``max_bytes`` is discarded up to its terminator: it is line noise, not
    a scan.
    """

    def __init__(self, max_bytes: int = MAX_PAYLOAD_BYTES) -> None:
        self.max_bytes = max_bytes
        self._buffer = bytearray()
        self._overflowed = False

    def feed(self, data: bytes) -> list[str]:
        """The payloads completed by ``data``; an unterminated tail waits for the next call."""
        *complete, rest = _TERMINATOR.split(data)
        payloads = []
        for part in complete:
            line = self._take(part)
            if line:
                payloads.append(line)
        self._append(rest)
        return payloads

    def _take(self, part: bytes) -> str:
        self._append(part)
        raw, overflowed = bytes(self._buffer), self._overflowed
        self._buffer.clear()
        self._overflowed = False
        if overflowed:
            log.warning("dropped an over-long line from the scanner")
            return ""
        text = raw.decode("utf-8", errors="ignore")
        return _CONTROL.sub("", text).strip()

    def _append(self, part: bytes) -> None:
        if self._overflowed:
            return
        if len(self._buffer) + len(part) > self.max_bytes:
            self._buffer.clear()
            self._overflowed = True
        else:
            self._buffer += part


class SerialScanner(ScanStream):
    """Reads payloads from a serial barcode scanner on a background thread.

    When the port disappears (cable pulled, adapter reset) the error goes to
    ``on_error``; with ``reconnect_s`` the scanner then reopens the port every
    ``reconnect_s`` seconds and carries on once it is back (``connected`` tells
    which), otherwise :meth:`read` raises the error.
    """

    def __init__(
        self,
        port: str,
        on_scan: ScanCallback | None = None,
        *,
        baudrate: int = 9600,
        reconnect_s: float | None = None,
        on_error: ErrorCallback | None = None,
        clock: Clock = time.monotonic,
        poll_s: float = 0.1,
    ) -> None:
        super().__init__(f"serial:{port}", on_scan, on_error=on_error, clock=clock)
        self.port = port
        self.baudrate = baudrate
        self.reconnect_s = reconnect_s
        self.poll_s = poll_s
        self.connected = threading.Event()
        self._serial: serial.Serial | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self) -> None:
        super().open()
        self._serial = open_exclusive(self.port, baudrate=self.baudrate, timeout=self.poll_s)
        self.connected.set()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._close_port()
        super().close()

    def _close_port(self) -> None:
        self.connected.clear()
        if self._serial is not None:
            close_quietly(self._serial, self.port)
            self._serial = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._read_until_lost()
            except LINE_FAULTS as exc:
                if self._stop.is_set():
                    return
                self._close_port()
                error = DeviceDisconnected(
                    f"serial scanner on {self.port} disappeared (cable pulled?)"
                )
                error.__cause__ = exc
                log.warning("%s", error)
                if self.reconnect_s is None:
                    self.fail(error)
                    return
                self.report(error)
                self._reopen()

    def _read_until_lost(self) -> None:
        framer = LineFramer()
        port = self._serial
        assert port is not None
        while not self._stop.is_set():
            data = port.read(max(1, min(port.in_waiting, READ_CHUNK_BYTES)))
            if data:
                traffic.debug("%s <- %d bytes", self.port, len(data))
                for payload in framer.feed(data):
                    self.deliver(payload)

    def _reopen(self) -> None:
        assert self.reconnect_s is not None
        while not self._stop.wait(self.reconnect_s):
            try:
                self._serial = open_exclusive(
                    self.port, baudrate=self.baudrate, timeout=self.poll_s
                )
            except DriverError:
                continue
            log.info("serial scanner on %s is back", self.port)
            self.connected.set()
            self.recovered()
            return
