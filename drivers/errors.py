"""Typed device errors shared by every driver.

Each error carries a stable ``code`` and a Vietnamese message, so a kiosk or the
technician CLI can show the visitor or technician something they understand
without knowing which driver raised it.
"""

from __future__ import annotations

import errno
import termios


class DriverError(Exception):
    """Base of every device error."""

    code = "device_error"
    message_vi = "Thiết bị gặp lỗi."

    def __init__(self, message: str = "", *, message_vi: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        if message_vi is not None:
            self.message_vi = message_vi


class DeviceNotFound(DriverError):
    """The device or port does not exist."""

    code = "device_not_found"
    message_vi = "Không tìm thấy thiết bị. Kiểm tra cáp kết nối."


class DeviceBusy(DriverError):
    """Another program holds the port."""

    code = "device_busy"
    message_vi = "Thiết bị đang được chương trình khác sử dụng."


class DevicePermission(DriverError):
    """The process may not open the device (udev rule or group missing)."""

    code = "device_permission"
    message_vi = "Không có quyền truy cập thiết bị."


class DeviceTimeout(DriverError):
    """The device did not answer in time."""

    code = "device_timeout"
    message_vi = "Thiết bị không phản hồi."


class ProtocolError(DriverError):
    """The device answered with bytes that do not follow its protocol."""

    code = "protocol_error"
    message_vi = "Thiết bị trả về dữ liệu không hợp lệ."


class PrinterOffline(DriverError):
    """The printer reports itself offline."""

    code = "printer_offline"
    message_vi = "Máy in đang ngoại tuyến."


class CoverOpen(DriverError):
    """The printer cover is open."""

    code = "printer_cover_open"
    message_vi = "Nắp máy in đang mở."


class PaperOut(DriverError):
    """The printer has no paper."""

    code = "printer_paper_out"
    message_vi = "Máy in hết giấy."


class DeviceDisconnected(DriverError):
    """The device was unplugged or its port vanished while in use; reopen it when it is back."""

    code = "device_disconnected"
    message_vi = "Thiết bị bị ngắt kết nối. Kiểm tra cáp, hệ thống sẽ tự kết nối lại."


class SpeechError(DriverError):
    """An announcement could not be synthesised or played."""

    code = "speech_failed"
    message_vi = "Không phát được thông báo bằng giọng nói."


class FontMissing(DriverError):
    """No font with Vietnamese glyphs to render ticket text (install fonts-dejavu-core)."""

    code = "printer_font_missing"
    message_vi = "Thiếu phông chữ tiếng Việt để in phiếu. Cài gói fonts-dejavu-core."


#: What lets the device user open a port, for the technician who reads the error.
PERMISSION_HINT = (
    "add the kiosk user to the 'dialout' group (serial) or 'lp' group, or install "
    "the udev rule from deploy/udev/ (USB), then log in again"
)


def error_number(exc: BaseException) -> int | None:
    """The errno an OS-level failure carries: ``OSError.errno``, or the first argument
    of a ``termios.error``, which pyserial lets through bare and which has no errno."""
    code = getattr(exc, "errno", None)
    if code is None and isinstance(exc, termios.error) and exc.args:
        code = exc.args[0]
    return code if isinstance(code, int) else None


def port_open_error(port: str, exc: BaseException) -> DriverError:
    """Why ``port`` did not open, as the one typed error and message every driver gives.

    pyserial sets ``errno`` for most failures but reports a lock held by another
    program only in words, so without an errno the words are read.
    """
    code = error_number(exc)
    if code is None:
        text = str(exc).lower()
        code = next((c for words, c in _OPEN_WORDS if words in text), None)
    if code in (errno.EACCES, errno.EPERM):
        return DevicePermission(f"no permission to open {port}: {PERMISSION_HINT}")
    if code in (errno.EBUSY, errno.EAGAIN):
        return DeviceBusy(f"{port} is used by another program (close it first)")
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return DeviceNotFound(f"cannot open {port}: it does not exist (check the cable)")
    return DeviceNotFound(f"cannot open {port}: {exc}")


#: What pyserial says when it gives no errno, and the errno it means.
_OPEN_WORDS = (
    ("permission denied", errno.EACCES),
    ("lock", errno.EBUSY),
    ("busy", errno.EBUSY),
    ("no such file", errno.ENOENT),
)
