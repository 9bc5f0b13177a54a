"""Scanner emulators: a serial barcode scanner on a pty and a camera fed from images.

The serial emulator speaks exactly what a real scanner in serial (USB-CDC) mode
sends: the payload bytes and a terminator, so :class:`SerialScanner` runs the
same code path as in the hall. The frame source stands in for a camera with
generated or recorded frames, for tests and the demo.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

import barcode
import cv2
import numpy as np
import qrcode

from drivers.errors import DeviceDisconnected
from drivers.pty_line import PtyLine

FRAME_SIZE = (640, 480)
BACKGROUND_GREY = 157


def code_modules(payload: str, symbology: str = "qr") -> np.ndarray:
    """Dark modules (True) of a QR code or a Code 128 row, without quiet zone."""
    if symbology == "qr":
        qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(payload)
        qr.make(fit=True)
        return np.array(qr.get_matrix(), dtype=bool)
    if symbology == "code128":
        (row,) = barcode.get("code128", payload).build()
        return np.array([[bit == "1" for bit in row]], dtype=bool)
    raise ValueError(f"unknown symbology {symbology!r}")


def render_code_frame(
    payload: str,
    *,
    symbology: str = "qr",
    module_px: int = 4,
    bar_height_px: int = 120,
    size: tuple[int, int] = FRAME_SIZE,
) -> np.ndarray:
    """A clean BGR camera frame with the code printed black on white paper, centred.

    The code keeps a four-module white quiet zone (ten for Code 128), the paper
    sits on a grey background, as a receipt held up to the kiosk camera does.
    """
    modules = code_modules(payload, symbology)
    if symbology == "code128":
        modules = np.repeat(modules, max(1, bar_height_px // module_px), axis=0)
        quiet = 10
    else:
        quiet = 4
    dots = np.pad(np.where(modules, 0, 255), quiet, constant_values=255).astype(np.uint8)
    code = cv2.resize(dots, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    width, height = size
    frame = np.full((height, width), BACKGROUND_GREY, dtype=np.uint8)
    ch, cw = code.shape
    if ch > height or cw > width:
        raise ValueError(f"code of {cw}x{ch} px does not fit a {width}x{height} frame")
    top, left = (height - ch) // 2, (width - cw) // 2
    frame[top : top + ch, left : left + cw] = code
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


class ImageFrameSource:
    """A camera made of frames: yields each image once (or forever with ``loop``).

    ``fps`` paces delivery like a real camera; tests leave it unset to run flat out.
    ``read()`` returns None at the end of the frames, which ends a camera pipeline.
    """

    def __init__(
        self, frames: Iterable[np.ndarray], *, loop: bool = False, fps: float | None = None
    ) -> None:
        self._frames = list(frames)
        self._loop = loop
        self._period = 1.0 / fps if fps else 0.0
        self._iter: Iterator[np.ndarray] = iter(())
        self._next_due = 0.0
        self._unplugged = False

    def unplug(self) -> None:
        """The USB camera is pulled out: the next read fails as OpenCV's does then."""
        self._unplugged = True

    def open(self) -> None:
        self._iter = itertools.cycle(self._frames) if self._loop else iter(self._frames)
        self._next_due = time.monotonic()

    def read(self) -> np.ndarray | None:
        if self._unplugged:
            raise DeviceDisconnected("camera: no frame (unplugged?)")
        if self._period:
            delay = self._next_due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_due = max(self._next_due + self._period, time.monotonic())
        return next(self._iter, None)

    def close(self) -> None:
        self._iter = iter(())


class SerialScannerEmulator:
    """A barcode scanner in serial mode on a pseudo-terminal.

    Point the driver at :attr:`port` (``/dev/pts/N``, or ``link`` when given: a
    symlink kept like udev's ``/dev/serial/by-id/``); :meth:`scan` sends a
    payload the way a scanner does; :meth:`close` pulls the cable.
    """

    def __init__(self, link: str | Path | None = None) -> None:
        self.line = PtyLine(link)

    @property
    def port(self) -> str:
        return self.line.path

    def open(self) -> None:
        self.line.open()

    def write(self, data: bytes) -> None:
        """Send raw bytes (garbage, partial lines) as a faulty scanner would."""
        self.line.write(data)

    def scan(self, payload: str, terminator: bytes = b"\r\n") -> None:
        """Send one scan: the payload in UTF-8 followed by the scanner's terminator."""
        self.write(payload.encode("utf-8") + terminator)

    def close(self) -> None:
        self.line.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
