"""Camera scanner: a capture thread that decodes each frame and keeps the latest for preview.

The frames come from a :class:`FrameSource`: a USB camera through OpenCV, or
any object with the same three methods (the emulator's image source), so
tests and the demo run the very pipeline the kiosk runs.
"""

from __future__ import annotations

import glob
import logging
import threading
import time
from typing import Protocol

import cv2
import numpy as np

from drivers.errors import DeviceDisconnected, DeviceNotFound, DriverError
from drivers.scanner.base import Clock, ErrorCallback, ScanCallback, ScanStream
from drivers.scanner.decoder import FrameDecoder

log = logging.getLogger(__name__)


class FrameSource(Protocol):
    """Where frames come from; ``read()`` returns None when there are no more."""

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


class OpenCVCamera:
    """A V4L2 camera by index, asking for 640x480 (enough for a receipt QR, cheap to decode)."""

    def __init__(
        self, index: int = 0, *, width: int = 640, height: int = 480, max_failed_reads: int = 30
    ) -> None:
        self.index = index
        self.width = width
        self.height = height
        self.max_failed_reads = max_failed_reads
        self._capture: cv2.VideoCapture | None = None

    def open(self) -> None:
        capture = cv2.VideoCapture(self.index, cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            raise DeviceNotFound(f"camera {self.index} cannot be opened (/dev/video{self.index})")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # decode what is in front now, not a backlog
        self._capture = capture

    def read(self) -> np.ndarray:
        """The next frame; a camera that stops delivering (unplugged) raises DeviceDisconnected."""
        if self._capture is None:
            raise DeviceNotFound(f"camera {self.index} is not open")
        for _ in range(self.max_failed_reads):
            ok, frame = self._capture.read()
            if ok:
                return frame
            time.sleep(0.01)
        raise DeviceDisconnected(f"camera {self.index} stopped delivering frames")

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def list_cameras() -> list[tuple[int, int, int]]:
    """(index, width, height) of each /dev/video* that opens and delivers a frame."""
    found = []
    for path in sorted(glob.glob("/dev/video*")):
        suffix = path.removeprefix("/dev/video")
        if not suffix.isdigit():
            continue
        camera = OpenCVCamera(int(suffix), max_failed_reads=3)
        try:
            camera.open()
            frame = camera.read()
        except DriverError:
            continue
        finally:
            camera.close()
        found.append((camera.index, frame.shape[1], frame.shape[0]))
    return found


class CameraScanner(ScanStream):
    """Reads frames on a background thread, decodes them, delivers Scans.

    ``latest_frame()`` gives the kiosk its live preview from any thread. The
    pipeline stops by itself when a finite frame source runs out (the stream then
    ends) and reports a camera that disappears through ``on_error`` and ``read``.
    """

    def __init__(
        self,
        camera: FrameSource | int = 0,
        on_scan: ScanCallback | None = None,
        *,
        decoder: FrameDecoder | None = None,
        on_error: ErrorCallback | None = None,
        clock: Clock = time.monotonic,
        source: str | None = None,
    ) -> None:
        if isinstance(camera, int):
            source = source or f"camera:{camera}"
            camera = OpenCVCamera(camera)
        super().__init__(source or "camera", on_scan, on_error=on_error, clock=clock)
        self.camera = camera
        self.decoder = decoder or FrameDecoder()
        self.frames_read = 0
        self._frame: np.ndarray | None = None
        self._frame_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self) -> None:
        super().open()
        self.camera.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera-scanner", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        self.camera.close()
        super().close()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a finite frame source to be used up; True if the pipeline ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def latest_frame(self) -> np.ndarray | None:
        """The last frame captured (read-only), for the kiosk's live preview."""
        with self._frame_lock:
            return self._frame

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                frame = self.camera.read()
            except DriverError as exc:
                log.warning("camera stopped: %s", exc)
                self.fail(exc)
                return
            if frame is None:
                super().close()  # end of a finite source: end the stream too
                return
            frame.flags.writeable = False
            with self._frame_lock:
                self._frame = frame
            self.frames_read += 1
            try:
                found = self.decoder.decode(frame)
            except Exception:  # one odd frame (size, format) must not stop the camera
                log.exception("frame %d could not be decoded", self.frames_read)
                continue
            for decoded in found:
                self.deliver(decoded.payload)
