"""The one Scan stream every scanner delivers: duplicate suppression, queue, failures."""

from __future__ import annotations

import pytest

from drivers.errors import DeviceDisconnected
from drivers.scanner import Scan, ScanSource, open_scanner
from drivers.scanner.base import DuplicateFilter, ScanStream
from drivers.scanner.wedge import WedgeScanner

CODE = "000.00.06.H56-231027-0361"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_same_payload_within_two_seconds_is_delivered_once() -> None:
    """GIVEN a visitor holding a receipt in front of the camera for 1.9 s
    THEN its code is delivered once, and again only after a 2 s pause."""
    seen = DuplicateFilter()
    assert seen.admit(Scan(CODE, "camera:0", 10.0))
    assert not seen.admit(Scan(CODE, "camera:0", 11.0))
    assert not seen.admit(Scan(CODE, "camera:0", 12.9))  # still held: the window restarts
    assert seen.admit(Scan(CODE, "camera:0", 15.0))


def test_other_payload_or_other_source_is_not_a_duplicate() -> None:
    seen = DuplicateFilter()
    assert seen.admit(Scan(CODE, "camera:0", 10.0))
    assert seen.admit(Scan(CODE + "X", "camera:0", 10.1))
    assert seen.admit(Scan(CODE, "serial:/dev/ttyACM0", 10.2))


def test_stream_queues_scans_with_source_and_clock_time() -> None:
    clock = FakeClock()
    stream = ScanStream("wedge", clock=clock)
    stream.open()
    assert stream.deliver(CODE) == Scan(CODE, "wedge", 100.0)
    clock.now = 100.5
    assert stream.deliver(CODE) is None
    clock.now = 103.0
    stream.deliver(CODE)
    assert stream.read(0) == Scan(CODE, "wedge", 100.0)
    assert stream.read(0) == Scan(CODE, "wedge", 103.0)
    assert stream.read(0) is None


def test_callback_gets_scans_and_a_failing_callback_does_not_stop_delivery() -> None:
    got: list[Scan] = []

    def handler(scan: Scan) -> None:
        got.append(scan)
        if len(got) == 1:
            raise RuntimeError("kiosk screen not ready")

    stream = ScanStream("wedge", handler, clock=FakeClock())
    stream.deliver("A")
    stream.deliver("B")
    assert [s.payload for s in got] == ["A", "B"]


def test_failure_is_raised_after_queued_scans_and_on_every_later_read() -> None:
    errors = []
    stream = ScanStream("serial:/dev/ttyACM0", on_error=errors.append, clock=FakeClock())
    stream.open()
    stream.deliver(CODE)
    stream.fail(DeviceDisconnected("gone"))
    assert stream.read(0).payload == CODE
    for _ in range(2):
        with pytest.raises(DeviceDisconnected):
            stream.read(0)
    assert len(errors) == 1 and errors[0].code == "device_disconnected"


def test_close_ends_iteration() -> None:
    stream = ScanStream("wedge", clock=FakeClock())
    with stream:
        stream.deliver("A")
        stream.deliver("B")
    assert [s.payload for s in stream] == ["A", "B"]


def test_slow_reader_keeps_only_the_newest_scans() -> None:
    stream = ScanStream("wedge", clock=FakeClock(), max_queued=3)
    stream.open()
    for n in range(10):
        stream.deliver(f"payload-{n}")
    assert [stream.read(0).payload for _ in range(3)] == ["payload-7", "payload-8", "payload-9"]


def test_repr_never_shows_the_payload() -> None:
    """Payloads can carry a 12-digit citizen ID number: logs see the length only."""
    scan = Scan('{"id":"H56-231027-0361","cccd":"001203004567"}', "camera:0", 1.0)
    assert "001203004567" not in repr(scan)
    assert "length=46" in repr(scan)


def test_open_scanner_wedge_is_open_and_a_scan_source() -> None:
    with open_scanner("wedge") as scanner:
        assert isinstance(scanner, WedgeScanner)
        assert isinstance(scanner, ScanSource)
        assert not scanner.closed
    assert scanner.closed


@pytest.mark.parametrize("config", ["", "usb:1", "camera:front", "serial:", "serial://", "wedge:1"])
def test_open_scanner_rejects_unknown_configurations(config: str) -> None:
    with pytest.raises(ValueError):
        open_scanner(config)
