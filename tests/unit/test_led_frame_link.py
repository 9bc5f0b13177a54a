"""The serial link under boards and keypads: typed open errors and reconnect back-off."""

from __future__ import annotations

import errno
from collections.abc import Callable

import pytest
import serial

from drivers.errors import DeviceBusy, DeviceNotFound, DevicePermission, DriverError
from drivers.frame_link import FrameLink, retry_with_backoff


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
