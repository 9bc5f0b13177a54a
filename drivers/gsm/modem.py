"""A GSM modem on a serial port, driven with AT commands in SMS text mode.

Every wait is bounded by ``timeout``. New-message indications (``+CMTI``) that
arrive while a command is under way are kept and handed out by
:meth:`GsmModem.wait_message`, so none is lost.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Self

import serial

from drivers.errors import (
    DeviceDisconnected,
    DeviceTimeout,
    ProtocolError,
)
from drivers.gsm import at
from drivers.gsm.at import Sms
from drivers.serial_port import LINE_FAULTS, close_quietly, open_exclusive, retry_with_backoff

logger = logging.getLogger(__name__)
traffic = logging.getLogger("drivers.traffic")

READ_SLICE = 0.05


class GsmModem:
    def __init__(
        self,
        port: str,
        baudrate: int = 115_200,
        timeout: float = 5.0,
        serial_factory: Callable[..., Any] = serial.Serial,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.timeout = timeout
        self._serial_factory = serial_factory
        self._serial: Any = None
        self._buffer = b""
        self._indications: deque[int] = deque()

    def open(self) -> Self:
        if self._serial is None:
            self._serial = open_exclusive(
                self.port,
                factory=self._serial_factory,
                baudrate=self.baudrate,
                timeout=READ_SLICE,
                write_timeout=self.timeout,
            )
            self._buffer = b""
        return self

    def close(self) -> None:
        if self._serial is not None:
            close_quietly(self._serial, self.port)
            self._serial = None

    def reconnect(
        self,
        *,
        attempts: int = 10,
        maximum: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Self:
        """Reopen and set up a modem that vanished, backing off between attempts.

        Each attempt closes first: a modem that re-enumerates just after it is plugged
        in can open and then fail its set-up, and that handle is dead.
        """

        def attempt() -> None:
            self.close()
            self.open().setup()

        retry_with_backoff(attempt, attempts=attempts, maximum=maximum, sleep=sleep)
        return self

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def setup(self) -> None:
        """Echo off, text mode, GSM charset, +CMTI indications."""
        self.command(at.command(""))
        for line in at.setup_commands():
            self.command(line)

    def command(self, data: bytes, timeout: float | None = None) -> list[str]:
        """Send one command; return the answer's lines before the final OK."""
        self._write(data)
        deadline = time.monotonic() + (timeout or self.timeout)
        echo = at.decode(data)
        lines: list[str] = []
        while True:
            line = self._read_line(deadline)
            if line is None:
                raise DeviceTimeout(f"{self.port}: no answer to {echo}")
            if line == echo:
                continue
            if self._indication(line):
                continue
            if line == at.FINAL_OK:
                return lines
            if line.startswith(at.FINAL_ERRORS):
                raise ProtocolError(f"{self.port}: {echo} refused: {line}")
            lines.append(line)

    def wait_message(self, timeout: float) -> int | None:
        """The storage index of the next new message, or None after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not self._indications:
            line = self._read_line(deadline)
            if line is None:
                return None
            if not self._indication(line):
                logger.debug("unsolicited line ignored: %s", line)
        return self._indications.popleft()

    def read(self, index: int) -> Sms | None:
        return at.parse_read(index, self.command(at.read_message(index)))

    def waiting(self) -> list[Sms]:
        """Every received message still on the SIM: those read but never answered and
        deleted (a turn that failed half-way), then those that arrived while nobody
        listened (before start-up). In that order: listing a new message marks it read."""
        return [
            message
            for state in ("REC READ", "REC UNREAD")
            for message in at.parse_list(self.command(at.list_received(state)))
        ]

    def delete(self, index: int) -> None:
        self.command(at.delete_message(index))

    def send(self, number: str, text: str) -> int:
        """Send one SMS; return the network's message reference.

        A sender that is no phone number (a carrier's name, "Viettel") cannot be
        answered: that is a :class:`ProtocolError` like a refused message, not a crash.
        """
        try:
            header = at.send_header(number)
        except ValueError as exc:
            # Not the number itself: logs show only a number's last digits.
            raise ProtocolError(f"{self.port}: cannot send there: {exc}") from exc
        self._write(header)
        deadline = time.monotonic() + self.timeout
        while at.PROMPT not in self._buffer:
            if not self._fill(deadline):
                self._write(at.ESC)
                raise DeviceTimeout(f"{self.port}: no > prompt to send a message")
        self._buffer = self._buffer.split(at.PROMPT, 1)[1]
        self._write(at.send_body(text))
        lines: list[str] = []
        while True:
            line = self._read_line(time.monotonic() + max(self.timeout, 30.0))
            if line is None:
                raise DeviceTimeout(f"{self.port}: message not confirmed")
            if self._indication(line):
                continue
            if line.startswith(at.FINAL_ERRORS):
                raise ProtocolError(f"{self.port}: message refused: {line}")
            if line == at.FINAL_OK:
                return at.parse_send(lines)
            lines.append(line)

    def _indication(self, line: str) -> bool:
        index = at.new_message_index(line)
        if index is None:
            return False
        self._indications.append(index)
        return True

    def _write(self, data: bytes) -> None:
        if self._serial is None:
            raise DeviceDisconnected(f"{self.port} is not open")
        traffic.debug("%s <- %r", self.port, data)
        try:
            self._serial.write(data)
        except LINE_FAULTS as exc:
            raise DeviceDisconnected(f"{self.port}: {exc}") from exc

    def _fill(self, deadline: float) -> bool:
        """Read what is waiting; False once ``deadline`` passed with nothing new."""
        if self._serial is None:
            raise DeviceDisconnected(f"{self.port} is not open")
        try:
            chunk = self._serial.read(max(1, self._serial.in_waiting))
        except LINE_FAULTS as exc:
            raise DeviceDisconnected(f"{self.port}: {exc}") from exc
        if chunk:
            traffic.debug("%s -> %r", self.port, chunk)
            self._buffer += chunk
            return True
        return time.monotonic() < deadline

    def _read_line(self, deadline: float) -> str | None:
        while True:
            while b"\n" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\n", 1)
                line = at.decode(raw)
                if line:
                    return line
            if not self._fill(deadline):
                return None
