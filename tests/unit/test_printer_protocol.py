"""Status bytes, the ESC/POS stream parser and printer URLs: the pure protocol pieces."""

from __future__ import annotations

import errno
import struct
import termios

import pytest
import serial
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import (
    CoverOpen,
    DeviceBusy,
    DeviceDisconnected,
    DeviceNotFound,
    DevicePermission,
    DeviceTimeout,
    PaperOut,
    PrinterOffline,
    ProtocolError,
)
from drivers.printer.connection import PrinterAddress, parse_printer_url, translate_error
from drivers.printer.status import (
    QUERIED,
    STATUS_QUERY,
    PrinterStatus,
    decode_status,
    encode_status,
)
from drivers.printer.stream import EscPosParser, Feed, ParsedJob, QrCode, TextLine


def answers(status: PrinterStatus) -> bytes:
    return b"".join(encode_status(status, n) for n in QUERIED)


def test_status_query_is_dle_eot_1_2_4() -> None:
    assert STATUS_QUERY == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\x12\x12\x12", PrinterStatus(online=True)),
        (b"\x1a\x16\x12", PrinterStatus(online=False, cover_open=True)),
        (b"\x1a\x32\x72", PrinterStatus(online=False, paper_out=True)),
        (b"\x12\x12\x1e", PrinterStatus(online=True, paper_near_end=True)),
    ],
)
def test_decodes_real_status_bytes(raw: bytes, expected: PrinterStatus) -> None:
    """Bytes as an Epson TM-T20 answers: ready, cover open, paper out, paper near end."""
    assert decode_status(raw) == expected


@given(online=st.booleans(), cover=st.booleans(), paper_out=st.booleans(), near_end=st.booleans())
def test_emulator_answers_decode_to_the_emulated_state(
    online: bool, cover: bool, paper_out: bool, near_end: bool
) -> None:
    state = PrinterStatus(online and not (cover or paper_out), cover, paper_out, near_end)
    assert decode_status(answers(state)) == state


@pytest.mark.parametrize("raw", [b"\x00\x12\x12", b"\x12\x12", b"ABC", b"\xff\x12\x12"])
def test_garbage_is_a_protocol_error(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_status(raw)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (PrinterStatus(online=False, cover_open=True, paper_out=True), CoverOpen),
        (PrinterStatus(online=False, paper_out=True), PaperOut),
        (PrinterStatus(online=False), PrinterOffline),
    ],
)
def test_problem_names_the_most_specific_cause(status: PrinterStatus, error: type) -> None:
    with pytest.raises(error):
        status.raise_for_problem()


def test_near_end_is_a_warning_not_a_problem() -> None:
    assert PrinterStatus(online=True, paper_near_end=True).problem() is None


def collect(data: bytes, chunk: int) -> tuple[list[ParsedJob], list[int]]:
    jobs: list[ParsedJob] = []
    queries: list[int] = []
    parser = EscPosParser(jobs.append, queries.append)
    for start in range(0, len(data), chunk):
        parser.feed(data[start : start + chunk])
    parser.flush()
    return jobs, queries


RASTER = b"\x1dv0\x00" + struct.pack("<HH", 1, 2) + b"\x80\x01"
QR = b"\x1d(k\x03\x001C\x05" + b"\x1d(k\x07\x001P0abcd" + b"\x1d(k\x03\x001Q0"
STREAM = (
    STATUS_QUERY
    + b"\x1b@\x1ba\x01\x1d!\x11\x1bE\x01A023\n\x1d!\x00\x1bE\x00"
    + RASTER
    + QR
    + b"\x1bd\x03\x1dVB\x00"
    + b"\x1b@hello\n\x1dV\x01"
)


@pytest.mark.parametrize("chunk", [1, 3, 7, len(STREAM)])
def test_parser_is_indifferent_to_fragmentation(chunk: int) -> None:
    jobs, queries = collect(STREAM, chunk)
    assert queries == [1, 2, 4]
    assert [job.text for job in jobs] == ["A023", "hello"]
    first = jobs[0]
    assert first.ops[0] == TextLine("A023", width=2, height=2, bold=True, align="center")
    assert first.ops[2] == QrCode("abcd", module_size=5, error_correction="L", align="center")
    assert first.ops[3] == Feed(3)
    assert first.cut and jobs[1].cut
    assert first.status_queries == [1, 2, 4]
    assert first.unknown_commands == []


def test_raster_bits_become_dots() -> None:
    jobs, _ = collect(b"\x1b@" + RASTER + b"\x1dV\x00", 4)
    image = jobs[0].rasters[0].image
    assert image.size == (8, 2)
    assert image.getpixel((0, 0)) == 0 and image.getpixel((1, 0)) == 255  # 0x80: first dot
    assert image.getpixel((7, 1)) == 0 and image.getpixel((6, 1)) == 255  # 0x01: last dot


def test_init_after_content_ends_a_job_without_cut() -> None:
    jobs, _ = collect(b"\x1b@first\n\x1b@second\n", 5)
    assert [(job.text, job.cut) for job in jobs] == [("first", False), ("second", False)]


def test_barcodes_from_python_escpos_are_read_in_both_encodings() -> None:
    """Code 128 (``GS k 73 n``) and Code 39 (``GS k 4 ... NUL``) as some receipts carry."""
    printer = Dummy(profile="TM-T20II")
    printer.hw("INIT")
    printer.barcode("{B000.00.06.H56", "CODE128", function_type="B")
    printer.barcode("12345678", "CODE39")
    printer.cut()
    jobs, _ = collect(printer.output, 3)
    assert jobs[0].barcodes == ["{B000.00.06.H56", "12345678"]
    assert jobs[0].unknown_commands == [] and jobs[0].cut


def test_unknown_commands_are_recorded_not_fatal() -> None:
    jobs, _ = collect(b"\x1b@\x1b\x7fok\n\x1dV\x00", 2)
    assert jobs[0].text == "ok"
    assert jobs[0].unknown_commands == ["1b 7f"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tcp://127.0.0.1:9100", PrinterAddress("tcp", "127.0.0.1:9100")),
        ("tcp://printer.local", PrinterAddress("tcp", "printer.local:9100")),
        (
            "serial:///dev/ttyUSB0?baudrate=19200",
            PrinterAddress("serial", "/dev/ttyUSB0", {"baudrate": "19200"}),
        ),
        ("usb://0x0416:0x5011", PrinterAddress("usb", "0x0416:0x5011")),
        ("file:///tmp/out.bin", PrinterAddress("file", "/tmp/out.bin")),
    ],
)
def test_printer_urls(url: str, expected: PrinterAddress) -> None:
    assert parse_printer_url(url) == expected


@pytest.mark.parametrize("url", ["lpt://x", "tcp://", "usb://0416", "serial://", "COM3"])
def test_malformed_urls_say_what_is_expected(url: str) -> None:
    with pytest.raises(ValueError, match="://"):
        parse_printer_url(url)


@pytest.mark.parametrize(
    ("exc", "error", "hint"),
    [
        (serial.SerialException(errno.ENOENT, "could not open port"), DeviceNotFound, "open"),
        (PermissionError(errno.EACCES, "Permission denied"), DevicePermission, "dialout"),
        (OSError(errno.EBUSY, "Device or resource busy"), DeviceBusy, "another program"),
        (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), DeviceNotFound, "refused"),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), DeviceDisconnected, "pipe"),
        # pyserial's flush and termios calls fail bare, with no errno attribute
        (termios.error(errno.EIO, "Input/output error"), DeviceDisconnected, "Input/output"),
        (TimeoutError("timed out"), DeviceTimeout, "time limit"),
        (serial.SerialTimeoutException("Write timeout"), DeviceTimeout, "time limit"),
    ],
)
def test_os_errors_become_typed_errors_with_a_hint(
    exc: BaseException, error: type, hint: str
) -> None:
    translated = translate_error(exc, "serial:///dev/ttyUSB0")
    assert type(translated) is error
    assert hint in str(translated)


def test_wrapped_causes_are_found() -> None:
    """python-escpos and pyserial wrap the OS error; its errno is found down the chain."""
    lock_failed = serial.SerialException("Could not exclusively lock port /dev/ttyS0")
    lock_failed.__context__ = BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
    wrapped = DeviceNotFoundError("Unable to open serial printer on /dev/ttyS0")
    wrapped.__context__ = lock_failed
    assert isinstance(translate_error(wrapped, "serial:///dev/ttyS0"), DeviceBusy)
