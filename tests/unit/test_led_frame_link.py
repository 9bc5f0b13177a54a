"""The serial link under boards and keypads: typed errors, a pulled cable, reconnect back-off."""

from __future__ import annotations

import errno
import termios
from collections.abc import Callable

import pytest
import serial

from drivers.errors import (
    DeviceBusy,
    DeviceDisconnected,
    DeviceNotFound,
    DevicePermission,
    DriverError,
)
from drivers.frame_link import FrameLink
from drivers.serial_frame import Command, Frame, encode_frame
from drivers.serial_port import retry_with_backoff


def failing_port(code: int) -> Callable[..., None]:
    """A stand-in for ``serial.Serial`` that fails to open with ``code``."""

    def factory(port: str, **kwargs: object) -> None:
        raise serial.SerialException(code, f"could not open port {port}")

    return factory


@pytest.mark.parametrize(
    ("code", "error", "hint"),
    [
        (errno.ENOENT, DeviceNotFound, "cannot open"),
        (errno.EACCES, DevicePermission, "dialout"),
        (errno.EBUSY, DeviceBusy, "another program"),
        (errno.EAGAIN, DeviceBusy, "another program"),
    ],
)
def test_open_failures_become_typed_errors_a_technician_can_act_on(
    code: int, error: type[DriverError], hint: str
) -> None:
    link = FrameLink("/dev/ttyUSB9", serial_factory=failing_port(code))
    with pytest.raises(error, match=hint) as caught:
        link.open()
    assert "/dev/ttyUSB9" in str(caught.value)
    assert not link.is_open


def test_retry_gives_up_after_the_attempts_with_the_last_error() -> None:
    slept: list[float] = []
    link = FrameLink("/dev/ttyUSB9", serial_factory=failing_port(errno.ENOENT))
    with pytest.raises(DeviceNotFound):
        link.reconnect(attempts=4, initial=0.1, maximum=0.3, sleep=slept.append)
    assert slept == [0.1, 0.2, 0.3]


def test_retry_returns_as_soon_as_the_device_is_back() -> None:
    outcomes: list[Exception | str] = [DeviceNotFound("gone"), DeviceNotFound("gone"), "open"]
    slept: list[float] = []

    def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert retry_with_backoff(attempt, attempts=5, sleep=slept.append) == "open"
    assert slept == [0.2, 0.4]


class UnpluggedWhileDraining:
    """A port whose write lands and whose drain then fails as pyserial's does on a pulled cable.

    ``Serial.flush`` calls ``termios.tcdrain`` bare, so the error is a
    ``termios.error``, which is no ``OSError`` nor ``SerialException``.
    """

    opened: list[UnpluggedWhileDraining] = []

    def __init__(self, port: str, **options: object) -> None:
        self.written = b""
        self.closed = False
        UnpluggedWhileDraining.opened.append(self)

    def write(self, data: bytes) -> int:
        self.written += data
        return len(data)

    def flush(self) -> None:
        raise termios.error(errno.EIO, "Input/output error")

    def close(self) -> None:
        self.closed = True


def test_a_cable_pulled_while_a_frame_drains_is_a_disconnect_the_caller_reopens() -> None:
    UnpluggedWhileDraining.opened.clear()
    link = FrameLink("/dev/ttyUSB9", serial_factory=UnpluggedWhileDraining).open()
    frame = Frame(3, Command.PING)
    with pytest.raises(DeviceDisconnected, match="/dev/ttyUSB9 vanished while writing"):
        link.send(frame)
    first = UnpluggedWhileDraining.opened[0]
    assert first.written == encode_frame(frame)
    assert first.closed and not link.is_open
    link.reconnect(attempts=1)
    assert link.is_open and len(UnpluggedWhileDraining.opened) == 2
