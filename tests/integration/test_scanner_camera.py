"""The camera pipeline fed by the emulator's frame source: frames in, Scans out."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from drivers.errors import DeviceDisconnected
from drivers.scanner import Scan
from drivers.scanner.camera import CameraScanner
from drivers.scanner.emulator import ImageFrameSource, render_code_frame

CODE = "000.00.06.H56-231027-0361"
URL = "https://dichvucong.example.gov.vn/tra-cuu?MHS=000.00.16.G04-220405-0008"
WAIT = 30.0  # upper bound for a few dozen frames on a loaded machine
BLANK = np.full((480, 640, 3), 157, dtype=np.uint8)


def test_receipt_held_up_to_the_camera_is_delivered_once() -> None:
    """GIVEN a camera that sees nothing, then a receipt QR for 10 frames, then a
    second receipt THEN the callback gets each code exactly once, in order."""
    frames = [BLANK] * 3 + [render_code_frame(CODE)] * 10 + [BLANK] * 2
    frames += [render_code_frame(URL, module_px=3)] * 5
    got: list[Scan] = []
    scanner = CameraScanner(ImageFrameSource(frames), got.append, source="camera:test")
    with scanner:
        assert scanner.wait(WAIT)
    assert [(s.payload, s.source) for s in got] == [(CODE, "camera:test"), (URL, "camera:test")]
    assert scanner.frames_read == len(frames)


def test_scans_can_be_read_from_the_queue_until_the_source_ends() -> None:
    frames = [
        render_code_frame("A023"),
        BLANK,
        render_code_frame(CODE, symbology="code128", module_px=2),
    ]
    with CameraScanner(ImageFrameSource(frames)) as scanner:
        assert [scan.payload for scan in scanner] == ["A023", CODE]


def test_latest_frame_is_the_last_captured_and_read_only() -> None:
    last = render_code_frame(URL)
    scanner = CameraScanner(ImageFrameSource([BLANK, BLANK, last]))
    assert scanner.latest_frame() is None
    with scanner:
        scanner.wait(WAIT)
        frame = scanner.latest_frame()
    assert frame is not None and np.array_equal(frame, last)
    with pytest.raises(ValueError):
        frame[0, 0, 0] = 1


class UnpluggedCamera(ImageFrameSource):
    """Delivers its frames, then behaves like a USB camera pulled out."""

    def read(self) -> np.ndarray | None:
        frame = super().read()
        if frame is None:
            raise DeviceDisconnected("camera 0 stopped delivering frames")
        return frame


def test_camera_that_disappears_is_reported_after_its_scans() -> None:
    errors = []
    with CameraScanner(
        UnpluggedCamera([render_code_frame(CODE)]), on_error=errors.append
    ) as scanner:
        assert scanner.read(WAIT).payload == CODE
        with pytest.raises(DeviceDisconnected):
            scanner.read(WAIT)
    assert [e.code for e in errors] == ["device_disconnected"]


def test_a_frame_that_cannot_be_decoded_does_not_stop_the_camera() -> None:
    broken = np.zeros((0, 0, 3), dtype=np.uint8)  # what a glitching driver may hand over
    with CameraScanner(ImageFrameSource([broken, render_code_frame(CODE)])) as scanner:
        assert [scan.payload for scan in scanner] == [CODE]


def test_logs_carry_lengths_never_the_citizen_id_in_a_payload(caplog) -> None:
    payload = '{"id":"000.00.06.H56-231027-0361","cccd":"001203004567"}'
    caplog.set_level(logging.DEBUG)
    with CameraScanner(ImageFrameSource([render_code_frame(payload)])) as scanner:
        assert [scan.payload for scan in scanner] == [payload]
    assert f"{len(payload)} characters" in caplog.text
    assert "001203004567" not in caplog.text
