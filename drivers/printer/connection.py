"""Printer connections named by a URL, opened with python-escpos, with bounded waits.

=============================================  =====================================
``tcp://192.168.1.50:9100``                    network printer (port 9100 by default)
``serial:///dev/ttyUSB0?baudrate=19200``       serial; also ``parity=N|E|O``, ``bytesize``,
                                               ``stopbits``
``usb://0x0416:0x5011?in_ep=0x81&out_ep=0x03``  USB (needs pyusb and libusb)
``file:///tmp/ticket.bin``                     write-only: a spool file or ``/dev/usb/lp0``
=============================================  =====================================

python-escpos's connection classes open the device; this module adds what a kiosk
needs on top: every wait bounded, status reads that return as soon as the bytes
arrive, an exclusive lock on serial ports, and OS errors turned into the typed
errors of :mod:`drivers.errors` with a hint a technician can act on.

The socket or port is reached through python-escpos's ``_device`` attribute, not
its ``device`` property, because reading that property opens the connection.
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

from escpos.printer import File, Network, Serial, Usb

from drivers.errors import (
    DeviceBusy,
    DeviceDisconnected,
    DeviceNotFound,
    DevicePermission,
    DeviceTimeout,
    DriverError,
    error_number,
    port_open_error,
)

traffic = logging.getLogger("drivers.traffic")

DEFAULT_TCP_PORT = 9100
SERIAL_CHUNK = 1024

@dataclass(frozen=True, slots=True)
class PrinterAddress:
    """A parsed printer URL."""

    scheme: str
    target: str
    options: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.target}"


def parse_printer_url(url: str) -> PrinterAddress:
    """Parse ``tcp://``, ``serial://``, ``usb://`` or ``file://`` URLs; ValueError if malformed."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "tcp":
        if not parts.hostname:
            raise ValueError(f"{url!r}: expected tcp://HOST[:PORT]")
        return PrinterAddress("tcp", f"{parts.hostname}:{parts.port or DEFAULT_TCP_PORT}", options)
    if parts.scheme in ("serial", "file"):
        if not parts.path:
            raise ValueError(f"{url!r}: expected {parts.scheme}:///ABSOLUTE/PATH")
        return PrinterAddress(parts.scheme, parts.path, options)
    if parts.scheme == "usb":
        ids = parts.netloc.split(":")
        try:
            vendor, product = (int(value, 16) for value in ids)
        except ValueError:
            raise ValueError(f"{url!r}: expected usb://0xVENDOR:0xPRODUCT") from None
        return PrinterAddress("usb", f"0x{vendor:04x}:0x{product:04x}", options)
    raise ValueError(f"{url!r}: printer URL must start with tcp://, serial://, usb:// or file://")


_ERRNO_ERRORS: dict[int, type[DriverError]] = {
    errno.ENOENT: DeviceNotFound,
    errno.ENODEV: DeviceNotFound,
    errno.ENXIO: DeviceNotFound,
    errno.ECONNREFUSED: DeviceNotFound,
    errno.EHOSTUNREACH: DeviceNotFound,
    errno.ENETUNREACH: DeviceNotFound,
    errno.EACCES: DevicePermission,
    errno.EPERM: DevicePermission,
    errno.EBUSY: DeviceBusy,
    errno.EAGAIN: DeviceBusy,
    errno.ETIMEDOUT: DeviceTimeout,
    errno.EPIPE: DeviceDisconnected,
    errno.ECONNRESET: DeviceDisconnected,
    errno.ECONNABORTED: DeviceDisconnected,
    errno.EIO: DeviceDisconnected,
    errno.ESHUTDOWN: DeviceDisconnected,
}


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def translate_error(exc: BaseException, where: str) -> DriverError:
    """The typed error for an exception raised while talking to the printer at ``where``."""
    for cause in _causes(exc):
        if isinstance(cause, DriverError):
            return cause
        if isinstance(cause, TimeoutError) or type(cause).__name__ == "SerialTimeoutException":
            return DeviceTimeout(f"{where}: no progress within the time limit ({cause})")
        error_class = _ERRNO_ERRORS.get(error_number(cause) or -1)
        if error_class in (DevicePermission, DeviceBusy):
            return port_open_error(where, cause)
        if error_class is not None:
            return error_class(f"{where}: {cause}")
    text = str(exc).lower()
    if "disconnected" in text:
        return DeviceDisconnected(f"{where}: {exc}")
    if "not found" in text:
        return DeviceNotFound(f"{where}: {exc}")
    return DriverError(f"{where}: {exc}")


class Link(Protocol):
    """A byte pipe to one printer."""

    can_read: bool

    def open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, count: int, timeout: float) -> bytes:
        """Up to ``count`` bytes, returning early once all arrived; fewer means timeout."""
        ...

    def discard_input(self) -> None:
        """Drop bytes already received (late answers to an earlier query)."""
        ...


class TcpLink:
    can_read = True

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self._printer = Network(host=host, port=port, timeout=timeout)
        self._timeout = timeout

    @property
    def _socket(self) -> socket.socket:
        return self._printer._device

    def open(self) -> None:
        # Connected here rather than by Network.open(), which leaks the socket when the
        # connection is refused; python-escpos then writes to and closes this socket.
        connection = socket.create_connection(
            (self._printer.host, self._printer.port), timeout=self._timeout
        )
        # Status queries are 9 bytes: without this, Nagle holds them back behind the job.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._printer.device = connection

    def close(self) -> None:
        self._printer.close()

    def write(self, data: bytes) -> None:
        self._socket.settimeout(self._timeout)
        self._printer._raw(data)

    def read(self, count: int, timeout: float) -> bytes:
        received = b""
        deadline = time.monotonic() + timeout
        while len(received) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._socket.settimeout(remaining)
            try:
                chunk = self._socket.recv(count - len(received))
            except TimeoutError:
                break
            if not chunk:
                raise DeviceDisconnected(f"{self._printer.host}: the printer closed the connection")
            received += chunk
        return received

    def discard_input(self) -> None:
        self._socket.setblocking(False)
        try:
            while self._socket.recv(4096):
                pass
        except BlockingIOError:
            pass
        finally:
            self._socket.settimeout(self._timeout)


class SerialLink:
    can_read = True

    def __init__(self, path: str, options: dict[str, str], timeout: float) -> None:
        self._printer = Serial(
            devfile=path,
            baudrate=int(options.get("baudrate", 9600)),
            bytesize=int(options.get("bytesize", 8)),
            parity=options.get("parity", "N"),
            stopbits=int(options.get("stopbits", 1)),
            timeout=timeout,
        )
        self._timeout = timeout

    def open(self) -> None:
        self._printer.open()
        port = self._printer._device
        try:
            port.write_timeout = self._timeout
            port.exclusive = True  # flock: a second program opening the port fails as busy
        except Exception:
            port.close()
            self._printer._device = False
            raise

    def close(self) -> None:
        port = self._printer._device
        if port:
            port.close()
        self._printer._device = False

    def write(self, data: bytes) -> None:
        for start in range(0, len(data), SERIAL_CHUNK):
            self._printer._raw(data[start : start + SERIAL_CHUNK])

    def read(self, count: int, timeout: float) -> bytes:
        port = self._printer._device
        port.timeout = timeout
        return port.read(count)

    def discard_input(self) -> None:
        self._printer._device.reset_input_buffer()


class UsbLink:
    can_read = True

    def __init__(self, vendor: int, product: int, options: dict[str, str], timeout: float) -> None:
        if not Usb.is_usable():
            raise DriverError("USB printers need pyusb (pip) and libusb-1.0-0 (Debian)")
        self._timeout_ms = int(timeout * 1000)
        self._printer = Usb(
            idVendor=vendor,
            idProduct=product,
            timeout=self._timeout_ms,
            in_ep=int(options.get("in_ep", "0x82"), 16),
            out_ep=int(options.get("out_ep", "0x01"), 16),
        )

    def open(self) -> None:
        self._printer.open()

    def close(self) -> None:
        self._printer.close()

    def write(self, data: bytes) -> None:
        self._printer._raw(data)

    def read(self, count: int, timeout: float) -> bytes:
        from usb.core import USBTimeoutError

        received = b""
        deadline = time.monotonic() + timeout
        while len(received) < count and (remaining := deadline - time.monotonic()) > 0:
            try:
                received += bytes(
                    self._printer._device.read(self._printer.in_ep, 64, int(remaining * 1000))
                )
            except USBTimeoutError:
                break
        return received[:count]

    def discard_input(self) -> None:
        self.read(64, 0.01)


class FileLink:
    """Write-only: a spool file or a kernel printer device; it cannot report status."""

    can_read = False

    def __init__(self, path: str) -> None:
        self._printer = File(devfile=path)

    def open(self) -> None:
        self._printer.open()

    def close(self) -> None:
        self._printer.close()

    def write(self, data: bytes) -> None:
        self._printer._raw(data)

    def read(self, count: int, timeout: float) -> bytes:
        raise DriverError("a file printer cannot be read")

    def discard_input(self) -> None:
        return None


def make_link(address: PrinterAddress, timeout: float) -> Link:
    """The (not yet opened) link for ``address``."""
    if address.scheme == "tcp":
        host, port = address.target.rsplit(":", 1)
        return TcpLink(host, int(port), timeout)
    if address.scheme == "serial":
        return SerialLink(address.target, address.options, timeout)
    if address.scheme == "usb":
        vendor, product = (int(value, 16) for value in address.target.split(":"))
        return UsbLink(vendor, product, address.options, timeout)
    return FileLink(address.target)
