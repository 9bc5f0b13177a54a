"""The serial scanner driver against the pty scanner emulator: the same bytes as in the hall."""

from __future__ import annotations

import argparse
import io
import os
import threading

import pytest

from drivers.errors import DeviceBusy, DeviceDisconnected, DeviceNotFound, DriverError
from drivers.scanner import Scan, open_scanner
from drivers.scanner.commands import emulate_scanner, scan_command
from drivers.scanner.emulator import SerialScannerEmulator
from drivers.scanner.serial_scanner import SerialScanner

CODE = "000.00.06.H56-231027-0361"
URL = "https://dichvucong.example.gov.vn/tra-cuu?MHS=000.00.16.G04-220405-0008"
WAIT = 5.0  # generous upper bound; a scan normally arrives in milliseconds


@pytest.fixture
def emulator():
    with SerialScannerEmulator() as emulator:
        yield emulator


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("terminator", [b"\r\n", b"\r", b"\n"])
def test_scans_arrive_whatever_the_terminator(emulator, terminator: bytes) -> None:
    with SerialScanner(emulator.port) as scanner:
        emulator.scan(CODE, terminator)
        emulator.scan(URL, terminator)
        first = scanner.read(WAIT)
        assert (first.payload, first.source) == (CODE, f"serial:{emulator.port}")
        assert scanner.read(WAIT).payload == URL


def test_garbage_and_partial_lines_do_not_lose_the_scan(emulator) -> None:
    with SerialScanner(emulator.port) as scanner:
        emulator.write(b"\x00\xff\xfe\r\n")  # noise when the cable is plugged in
        emulator.write(CODE[:10].encode())
        emulator.write(CODE[10:].encode() + b"\r")
        emulator.write(b"\n")
        emulator.scan(URL)
        assert [scanner.read(WAIT).payload, scanner.read(WAIT).payload] == [CODE, URL]
        assert scanner.read(0.2) is None


def test_trigger_pressed_twice_within_two_seconds_gives_one_scan(emulator) -> None:
    clock = FakeClock()
    got: list[Scan] = []
    arrived = threading.Event()

    def on_scan(scan: Scan) -> None:
        got.append(scan)
        arrived.set()

    def scan_and_wait(payload: str) -> None:
        arrived.clear()
        emulator.scan(payload)
        assert arrived.wait(WAIT)

    with SerialScanner(emulator.port, on_scan, clock=clock):
        scan_and_wait(CODE)
        clock.now = 1.0
        emulator.scan(CODE)  # the repeat: suppressed
        scan_and_wait(URL)  # read after the repeat, so the repeat has been judged
        clock.now = 3.5
        scan_and_wait(CODE)  # a new visit with the same receipt
    assert [(s.payload, s.time) for s in got] == [(CODE, 0.0), (URL, 1.0), (CODE, 3.5)]


def test_port_that_disappears_raises_a_typed_error(emulator) -> None:
    errors = []
    with SerialScanner(emulator.port, on_error=errors.append) as scanner:
        emulator.scan(CODE)
        assert scanner.read(WAIT).payload == CODE
        emulator.close()  # the cable is pulled
        with pytest.raises(DeviceDisconnected, match="disappeared"):
            scanner.read(WAIT)
    assert len(errors) == 1
    assert errors[0].message_vi.startswith("Thiết bị bị ngắt kết nối")


def test_scanner_reconnects_when_the_port_comes_back(tmp_path) -> None:
    """GIVEN a scanner behind a udev-style symlink WHEN the adapter is unplugged and
    plugged back THEN on_error hears about it and scans flow again, no restart needed."""
    link = tmp_path / "ttySCAN"
    lost = threading.Event()
    heard: list[DriverError | None] = []

    def on_error(error: DriverError | None) -> None:
        heard.append(error)
        lost.set()

    with SerialScannerEmulator(link=link) as emulator:
        scanner = SerialScanner(str(link), reconnect_s=0.05, on_error=on_error)
        with scanner:
            emulator.scan(CODE)
            assert scanner.read(WAIT).payload == CODE
            emulator.close()
            assert lost.wait(WAIT)
            assert isinstance(scanner.error, DeviceDisconnected)
            emulator.open()
            assert scanner.connected.wait(WAIT)
            emulator.scan(URL)
            assert scanner.read(WAIT).payload == URL
            assert scanner.error is None
    # The loss, then the return (None): a kiosk's heartbeat says "offline", then "ok".
    assert [type(error) for error in heard] == [DeviceDisconnected, type(None)]


def test_missing_port_is_device_not_found(tmp_path) -> None:
    with pytest.raises(DeviceNotFound, match="does not exist"):
        SerialScanner(str(tmp_path / "ttyACM9")).open()


def test_port_held_by_another_program_is_device_busy(emulator) -> None:
    with SerialScanner(emulator.port):
        with pytest.raises(DeviceBusy):
            SerialScanner(emulator.port).open()


def test_open_scanner_with_a_serial_url(emulator) -> None:
    scanner = open_scanner(f"serial://{emulator.port}?baudrate=115200")
    try:
        assert scanner.baudrate == 115200
        emulator.scan(CODE)
        assert scanner.read(WAIT).payload == CODE
    finally:
        scanner.close()


class ScanWhenListening(io.StringIO):
    """Command output that presses the scanner's trigger once the command is listening."""

    def __init__(self, emulator: SerialScannerEmulator, payload: str) -> None:
        super().__init__()
        self.emulator = emulator
        self.payload = payload

    def write(self, text: str) -> int:
        written = super().write(text)
        if "waiting for scans" in text:
            self.emulator.scan(self.payload)
        return written


@pytest.mark.parametrize("redact", [False, True])
def test_scan_command_prints_payloads_or_only_their_length(emulator, redact: bool) -> None:
    args = argparse.Namespace(
        camera=None,
        serial=emulator.port,
        wedge=False,
        baud=9600,
        redact=redact,
        count=1,
        seconds=WAIT,
    )
    out = ScanWhenListening(emulator, '{"id":"000.00.06.H56-231027-0361","cccd":"001203004567"}')
    assert scan_command(args, out) == 0
    last = out.getvalue().splitlines()[-1]
    if redact:
        assert last == f"[serial:{emulator.port}] <56 ký tự / characters>"
    else:
        assert last.endswith('"cccd":"001203004567"}')


def test_emulate_command_prints_the_port_and_scans_stdin_lines() -> None:
    """``motcua-devices emulate scanner``: the first output line is the port to open."""
    lines_r, lines_w = os.pipe()
    out_r, out_w = os.pipe()
    with (
        os.fdopen(lines_r) as lines,
        os.fdopen(out_w, "w") as out,
        os.fdopen(out_r) as port_out,
        os.fdopen(lines_w, "w") as stdin,
    ):
        args = argparse.Namespace(link=None, terminator="cr", pty=True)
        worker = threading.Thread(target=emulate_scanner, args=(args, lines, out))
        worker.start()
        port = port_out.readline().strip()
        with SerialScanner(port) as scanner:
            stdin.write(CODE + "\n")
            stdin.flush()
            assert scanner.read(WAIT).payload == CODE
            stdin.close()
            worker.join(WAIT)
    assert not worker.is_alive()
