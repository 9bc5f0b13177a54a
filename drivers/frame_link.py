"""A serial port speaking :mod:`drivers.serial_frame` frames, shared by LED boards and keypads.

The link owns the pyserial port, the frame parser and the request/acknowledge
exchange. Every wait is bounded; every pyserial failure becomes a typed
:mod:`drivers.errors` error, so a vanished USB-RS485 adapter is a
:class:`DeviceDisconnected` that the caller answers with :meth:`FrameLink.reconnect`.
"""

from __future__ import annotations

import logging
import threading
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
from drivers.serial_frame import BROADCAST, Command, Frame, FrameParser, answers, encode_frame
from drivers.serial_port import LINE_FAULTS, close_quietly, open_exclusive, retry_with_backoff

logger = logging.getLogger(__name__)
traffic = logging.getLogger("drivers.traffic")

IDLE_GAP = 0.05  # seconds of silence after which a half-received frame is given up
INBOX_SIZE = 256




class FrameLink:
    """One serial port (one RS-485 bus or one RS-232 line) carrying frames.

    Not for concurrent use from several threads without care: the methods hold an
    internal lock, so a key event that arrives while a request waits for its ACK is
    kept in an inbox and returned by the next :meth:`read_frame`.
    """

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 9600,
        timeout: float = 0.5,
        retries: int = 1,
        serial_factory: Callable[..., Any] = serial.Serial,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.timeout = timeout
        self.retries = retries
        self._serial_factory = serial_factory
        self._serial: Any = None
        self._parser = FrameParser()
        self._received: deque[Frame] = deque()  # parsed, not yet looked at
        # unsolicited frames (key presses) that came while awaiting an ACK, kept for later
        self._inbox: deque[Frame] = deque(maxlen=INBOX_SIZE)
        self._lock = threading.RLock()

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    @property
    def rejected_frames(self) -> int:
        """Frames received with a bad checksum since the link was created."""
        return self._parser.rejected

    def open(self) -> Self:
        with self._lock:
            if self._serial is None:
                self._serial = open_exclusive(
                    self.port,
                    factory=self._serial_factory,
                    baudrate=self.baudrate,
                    timeout=IDLE_GAP,
                    write_timeout=self.timeout,
                )
                self._parser.reset()
                self._received.clear()
        return self

    def close(self) -> None:
        with self._lock:
            if self._serial is not None:
                close_quietly(self._serial, self.port)
                self._serial = None

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def reconnect(
        self,
        *,
        attempts: int = 10,
        initial: float = 0.2,
        maximum: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Self:
        """Close and reopen the port, backing off between attempts while it is absent."""
        self.close()
        return retry_with_backoff(
            self.open, attempts=attempts, initial=initial, maximum=maximum, sleep=sleep
        )

    def send(self, frame: Frame) -> None:
        """Write one frame."""
        data = encode_frame(frame)
        with self._lock:
            port = self._require_open()
            traffic.debug("%s > %s", self.port, data.hex(" "))
            try:
                port.write(data)
                port.flush()
            except serial.SerialTimeoutException as exc:
                raise DeviceTimeout(f"writing to {self.port} timed out") from exc
            except LINE_FAULTS as exc:
                self.close()
                raise DeviceDisconnected(f"{self.port} vanished while writing: {exc}") from exc

    def read_frame(self, timeout: float | None = None) -> Frame | None:
        """The next received frame, or ``None`` if none came within ``timeout`` seconds."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._lock:
            return self._inbox.popleft() if self._inbox else self._receive(deadline)

    def request(self, frame: Frame, timeout: float | None = None) -> Frame | None:
        """Send ``frame`` and return its ACK, resending up to ``retries`` times.

        Broadcast frames are not acknowledged: this returns ``None`` at once.
        Raises :class:`DeviceTimeout` when the device stays silent and
        :class:`ProtocolError` when it refuses the frame with a NAK.
        """
        timeout = self.timeout if timeout is None else timeout
        with self._lock:
            for _attempt in range(self.retries + 1):
                self.send(frame)
                if frame.address == BROADCAST:
                    return None
                reply = self._await_reply(frame, timeout)
                if reply is None:
                    continue
                if reply.command == Command.NAK:
                    reason = reply.payload[1] if len(reply.payload) > 1 else 0
                    raise ProtocolError(
                        f"device {frame.address} on {self.port} refused command "
                        f"0x{frame.command:02x} (reason 0x{reason:02x})"
                    )
                return reply
        raise DeviceTimeout(f"device {frame.address} on {self.port} did not answer")

    def ping(self, address: int, timeout: float | None = None) -> bool:
        """Whether the device at ``address`` answers."""
        try:
            self.request(Frame(address, Command.PING), timeout)
        except DeviceTimeout:
            return False
        return True

    def _await_reply(self, request: Frame, timeout: float) -> Frame | None:
        deadline = time.monotonic() + timeout
        while (frame := self._receive(deadline)) is not None:
            if answers(frame, request):
                return frame
            if frame.command in (Command.ACK, Command.NAK):
                logger.debug("dropping a late reply %s", frame)
            else:
                self._inbox.append(frame)
        return None

    def _receive(self, deadline: float) -> Frame | None:
        """The next frame off the wire, waiting until ``deadline`` (monotonic seconds).

        A half-received frame followed by silence is expired, so a corrupted length
        byte cannot hold the frames behind it hostage.
        """
        while not self._received:
            data = self._read_some()
            if data:
                self._received.extend(self._parser.feed(data))
            elif self._parser.pending:
                self._received.extend(self._parser.expire())
            if not self._received and time.monotonic() >= deadline:
                return None
        return self._received.popleft()

    def _read_some(self) -> bytes:
        port = self._require_open()
        try:
            data: bytes = port.read(max(1, port.in_waiting))
        except LINE_FAULTS as exc:
            self.close()
            raise DeviceDisconnected(f"{self.port} vanished while reading: {exc}") from exc
        if data:
            traffic.debug("%s < %s", self.port, data.hex(" "))
        return data

    def _require_open(self) -> Any:
        if self._serial is None:
            raise DeviceDisconnected(f"{self.port} is not open")
        return self._serial
