"""Every serial driver says why a port did not open in the same words and type
(``drivers.errors.port_open_error``), so a technician reads one message for one
cause whichever device it is (issue 14: it was translated four ways)."""

from __future__ import annotations

import errno
import os
import termios
from collections.abc import Callable, Iterator

import pytest
import serial

from drivers.errors import DeviceBusy, DeviceNotFound, DevicePermission, DriverError
from drivers.frame_link import FrameLink
from drivers.gsm.modem import GsmModem
from drivers.printer.connection import translate_error
from drivers.scanner.serial_scanner import SerialScanner


def _open_and_close(device: FrameLink | GsmModem | SerialScanner) -> None:
    device.open()
    device.close()


OPENERS: dict[str, Callable[[str], None]] = {
    "led/keypad link": lambda port: _open_and_close(FrameLink(port)),
    "gsm modem": lambda port: _open_and_close(GsmModem(port)),
    "serial scanner": lambda port: _open_and_close(SerialScanner(port)),
}


@pytest.fixture
def held_port() -> Iterator[str]:
    """A real pseudo-terminal that another program holds exclusively."""
    controller, device = os.openpty()
    port = os.ttyname(device)
    holder = serial.Serial(port, exclusive=True)
    try:
        yield port
    finally:
        holder.close()
        os.close(device)
        os.close(controller)


@pytest.mark.parametrize("opener", OPENERS.values(), ids=OPENERS.keys())
def test_a_missing_port_reads_the_same_from_every_driver(
    tmp_path: os.PathLike[str], opener: Callable[[str], None]
) -> None:
    port = os.path.join(tmp_path, "ttyUSB9")
    with pytest.raises(DeviceNotFound) as caught:
        opener(port)
    assert str(caught.value) == f"cannot open {port}: it does not exist (check the cable)"
    assert caught.value.message_vi == "Không tìm thấy thiết bị. Kiểm tra cáp kết nối."


@pytest.mark.parametrize("opener", OPENERS.values(), ids=OPENERS.keys())
def test_a_port_held_by_another_program_reads_the_same_from_every_driver(
    held_port: str, opener: Callable[[str], None]
) -> None:
    with pytest.raises(DeviceBusy) as caught:
        opener(held_port)
    assert str(caught.value) == f"{held_port} is used by another program (close it first)"
    assert caught.value.message_vi == "Thiết bị đang được chương trình khác sử dụng."


@pytest.mark.parametrize(
    ("cause", "error"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), DevicePermission),
        (OSError(errno.EBUSY, "Device or resource busy"), DeviceBusy),
    ],
)
def test_the_printer_gives_the_same_words_for_a_port_it_cannot_open(
    cause: OSError, error: type[DriverError]
) -> None:
    link = FrameLink("serial:///dev/ttyUSB0", serial_factory=lambda *_a, **_k: _raise(cause))
    with pytest.raises(error) as from_link:
        link.open()
    from_printer = translate_error(cause, "serial:///dev/ttyUSB0")
    assert type(from_printer) is error
    assert str(from_printer) == str(from_link.value)


def _raise(cause: OSError) -> None:
    raise serial.SerialException(cause.errno, str(cause))


@pytest.mark.parametrize(
    "fault",
    [termios.error(errno.EIO, "Input/output error"), OSError(errno.EIO, "Input/output error")],
    ids=["termios", "ioctl"],
)
@pytest.mark.parametrize("driver", [FrameLink, GsmModem], ids=["led/keypad link", "gsm modem"])
def test_a_port_that_fails_while_it_is_configured_is_a_driver_error_the_reopen_loop_retries(
    fault: BaseException, driver: Callable[..., FrameLink | GsmModem]
) -> None:
    """pyserial's ``open`` sets the line up with bare termios and ioctl calls; an adapter
    that bounces as it is plugged in fails there, and a worker that only retries a
    driver error would die on it."""

    def bouncing(*_args: object, **_options: object) -> None:
        raise fault

    with pytest.raises(DeviceNotFound, match="cannot open /dev/ttyUSB9"):
        driver("/dev/ttyUSB9", serial_factory=bouncing).open()
