"""Tickets through the real driver to the emulator over TCP and a pty, and every failure mode."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import numpy as np
import pytest
from PIL import Image
from printer_fixtures import ARTIFACTS, TRACKING_URL, running_emulator, sample_slip, sample_ticket

from drivers.errors import (
    CoverOpen,
    DeviceBusy,
    DeviceDisconnected,
    DeviceNotFound,
    DeviceTimeout,
    DriverError,
    PaperOut,
    PrinterOffline,
)
from drivers.printer import open_printer
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.profiles import paper_profile
from drivers.printer.render import read_qr_codes
from drivers.printer.ticket_layout import CELL_DOTS, RasterOp, ticket_ops

#: These tests are about Vietnamese as rasters; the code-page path has its own.
RASTER: Final = "raster"
RASTER_80 = paper_profile(80, text_mode=RASTER)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    with running_emulator(tmp_path) as emulator:
        yield emulator


def url_for(emulator: PrinterEmulator, backend: str) -> str:
    if backend == "tcp":
        return f"tcp://127.0.0.1:{emulator.port}"
    return f"serial://{emulator.pty_path}?baudrate=115200"


def service_raster(paper: int) -> Image.Image:
    ops = ticket_ops(sample_ticket(), paper_profile(paper, text_mode=RASTER))
    return next(op.image for op in ops if isinstance(op, RasterOp) and op.name == "service")


def raster_index(paper: int, name: str) -> int:
    ops = ticket_ops(sample_ticket(), paper_profile(paper, text_mode=RASTER))
    return [op.name for op in ops if isinstance(op, RasterOp)].index(name)


@pytest.mark.parametrize("paper", [80, 58])
@pytest.mark.parametrize("backend", ["tcp", "serial"])
def test_ticket_arrives_readable(tmp_path: Path, backend: str, paper: int) -> None:
    """GIVEN the emulator WHEN the driver prints a ticket THEN its PNG carries the QR,
    the number as native text and the Vietnamese service name dot for dot."""
    with running_emulator(tmp_path, paper=paper) as emulator:
        url = url_for(emulator, backend)
        with open_printer(url, paper=paper, timeout=2, text_mode=RASTER) as printer:
            printer.print_ticket(sample_ticket())
        (job,) = emulator.wait_for_jobs(1)
    assert job.png_path is not None and job.png_path.exists()
    page = Image.open(job.png_path).convert("L")
    assert read_qr_codes(page) == [TRACKING_URL]
    assert job.qr_payloads == [TRACKING_URL]
    assert "A023" in job.text.splitlines()
    x, y, width, height = job.raster_boxes[raster_index(paper, "service")]
    printed = np.asarray(page.crop((x, y, x + width, y + height)))
    assert np.array_equal(printed, np.asarray(service_raster(paper)))
    assert job.cut is (paper == 80)  # the 58 mm profile has no cutter
    assert emulator.status_queries == [1, 2, 4, 1, 2, 4]  # checked before and after
    assert job.printed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(job.png_path, ARTIFACTS / f"ticket_{paper}mm_{backend}.png")


def test_slip_arrives_with_code_and_qr(emulator: PrinterEmulator) -> None:
    slip = sample_slip()
    with open_printer(url_for(emulator, "tcp"), timeout=2, text_mode=RASTER) as printer:
        printer.print_slip(slip)
    (job,) = emulator.wait_for_jobs(1)
    assert job.text == slip.dossier_code
    assert job.qr_payloads == [slip.tracking_url]
    assert job.png_path is not None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(job.png_path, ARTIFACTS / "slip_80mm.png")


@pytest.mark.parametrize("paper", [80, 58])
def test_result_ticket_prints_the_dossier_code_under_its_label(tmp_path: Path, paper: int) -> None:
    """GIVEN a result-collection ticket WHEN it is printed THEN the paper carries the
    dossier code as text under the number, and its bilingual label dot for dot."""
    code = "000.00.06.H56-231027-0361"
    ticket = sample_ticket(
        service_name="Trả kết quả", number="F001", priority_label=None, dossier_code=code
    )
    with running_emulator(tmp_path, paper=paper) as emulator:
        url = url_for(emulator, "tcp")
        with open_printer(url, paper=paper, timeout=2, text_mode=RASTER) as printer:
            printer.print_ticket(ticket)
        (job,) = emulator.wait_for_jobs(1)
    assert job.text.splitlines() == ["F001", code]
    ops = ticket_ops(ticket, paper_profile(paper, text_mode=RASTER))
    rasters = [op for op in ops if isinstance(op, RasterOp)]
    index = [op.name for op in rasters].index("code_label")
    assert job.png_path is not None
    page = Image.open(job.png_path).convert("L")
    x, y, width, height = job.raster_boxes[index]
    printed = np.asarray(page.crop((x, y, x + width, y + height)))
    assert np.array_equal(printed, np.asarray(rasters[index].image))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(job.png_path, ARTIFACTS / f"result_ticket_{paper}mm.png")


def test_an_ordinary_ticket_prints_no_dossier_code(emulator: PrinterEmulator) -> None:
    with open_printer(url_for(emulator, "tcp"), timeout=2, text_mode=RASTER) as printer:
        printer.print_ticket(sample_ticket())
    (job,) = emulator.wait_for_jobs(1)
    assert job.text.splitlines() == ["A023"]
    assert "code_label" not in [
        op.name for op in ticket_ops(sample_ticket(), RASTER_80) if isinstance(op, RasterOp)
    ]


def test_job_sidecar_json_lists_what_was_printed(emulator: PrinterEmulator) -> None:
    with open_printer(url_for(emulator, "tcp"), timeout=2, text_mode=RASTER) as printer:
        printer.print_ticket(sample_ticket())
    (job,) = emulator.wait_for_jobs(1)
    summary = (job.png_path.with_suffix(".json")).read_text(encoding="utf-8")
    assert job.png_path.name == "1.png"
    assert '"qr_payloads": [\n    "' + TRACKING_URL in summary
    assert '"A023"' in summary and '"cut": true' in summary


def test_status_reports_paper_near_end_without_failing(emulator: PrinterEmulator) -> None:
    emulator.paper_near_end = True
    with open_printer(url_for(emulator, "serial"), timeout=2, text_mode=RASTER) as printer:
        status = printer.status()
        printer.print_ticket(sample_ticket())
    assert status.online and status.paper_near_end and not status.paper_out
    assert len(emulator.wait_for_jobs(1)) == 1


@pytest.mark.timeout(5)
@pytest.mark.parametrize("backend", ["tcp", "serial"])
@pytest.mark.parametrize(
    ("fault", "error"),
    [("paper_out", PaperOut), ("cover_open", CoverOpen), ("offline", PrinterOffline)],
)
def test_fault_before_job_raises_and_sends_nothing(
    emulator: PrinterEmulator, backend: str, fault: str, error: type[DriverError]
) -> None:
    setattr(emulator, fault, True)
    with open_printer(url_for(emulator, backend), timeout=2, text_mode=RASTER) as printer:
        with pytest.raises(error):
            printer.print_ticket(sample_ticket())
    assert emulator.jobs == []
    assert emulator.status_queries == [1, 2, 4]  # asked once, then stopped


@pytest.mark.timeout(5)
def test_printer_pulled_mid_job_is_not_a_success(emulator: PrinterEmulator) -> None:
    """The emulator closes the connection 4000 bytes in, inside the first raster."""
    emulator.drop_after = 4000
    printer = open_printer(url_for(emulator, "tcp"), timeout=2, text_mode=RASTER)
    with pytest.raises((DeviceDisconnected, DeviceTimeout)):
        printer.print_ticket(sample_ticket())
    assert not printer.is_open  # a lost link is closed so the next open starts afresh
    assert emulator.dropped_links == 1
    assert emulator.jobs == []


@pytest.mark.timeout(10)
@pytest.mark.parametrize("backend", ["serial", "tcp"])
def test_a_checked_ticket_whose_printer_dies_mid_job_is_not_a_success(
    emulator: PrinterEmulator, backend: str
) -> None:
    """The kiosk checks the printer before it takes a number, then prints ``checked``.
    A text ticket fits in the link's buffers, so its writes succeed with the printer
    gone 200 bytes in: only the status asked after the job can tell nothing came out."""
    emulator.drop_after = 200
    # Disconnected when the write or the status query meets the closed line (a serial
    # port fails with a bare termios EIO), timed out when the link still takes bytes.
    with pytest.raises((DeviceDisconnected, DeviceTimeout)):
        with open_printer(url_for(emulator, backend), timeout=1) as printer:
            printer.status().raise_for_problem()
            printer.print_ticket(sample_ticket(), checked=True)
    assert emulator.dropped_links == 1
    assert emulator.jobs == []


@pytest.mark.timeout(5)
def test_serial_printer_unplugged_mid_job_is_not_a_success(emulator: PrinterEmulator) -> None:
    emulator.drop_after = 4000
    with pytest.raises(DeviceDisconnected):
        with open_printer(url_for(emulator, "serial"), timeout=2, text_mode=RASTER) as printer:
            printer.print_ticket(sample_ticket())


@pytest.mark.timeout(5)
@pytest.mark.parametrize("backend", ["serial", "tcp"])
def test_silent_printer_times_out(emulator: PrinterEmulator, backend: str) -> None:
    """A printer that never answers DLE EOT is not 'OK'."""
    emulator.silent = True
    with open_printer(url_for(emulator, backend), timeout=1, text_mode=RASTER) as printer:
        with pytest.raises(DeviceTimeout, match="no status answer"):
            printer.status()
        with pytest.raises(DeviceTimeout):
            printer.print_ticket(sample_ticket())
    assert emulator.jobs == []


@pytest.mark.timeout(5)
def test_slow_link_times_out_after_the_job(emulator: PrinterEmulator) -> None:
    """At 2 kB/s the post-job status answer cannot arrive within the 1 s limit."""
    emulator.bytes_per_second = 2000
    with open_printer(url_for(emulator, "tcp"), timeout=1, text_mode=RASTER) as printer:
        with pytest.raises(DeviceTimeout):
            printer.print_ticket(sample_ticket())


def test_late_status_answer_within_the_limit_is_accepted(emulator: PrinterEmulator) -> None:
    emulator.status_delay = 0.1
    with open_printer(url_for(emulator, "tcp"), timeout=2, text_mode=RASTER) as printer:
        printer.print_ticket(sample_ticket())
    assert len(emulator.wait_for_jobs(1)) == 1


def test_busy_serial_port(emulator: PrinterEmulator) -> None:
    with open_printer(url_for(emulator, "serial"), timeout=1, text_mode=RASTER):
        with pytest.raises(DeviceBusy, match="another program"):
            open_printer(url_for(emulator, "serial"), timeout=1, text_mode=RASTER)


def test_missing_printers(tmp_path: Path) -> None:
    with pytest.raises(DeviceNotFound, match="No such file"):
        open_printer(f"serial://{tmp_path}/ttyUSB9", timeout=1, text_mode=RASTER)
    with PrinterEmulator() as emulator:
        port = emulator.port
    with pytest.raises(DeviceNotFound, match="refused"):
        open_printer(f"tcp://127.0.0.1:{port}", timeout=1, text_mode=RASTER)


def test_file_printer_writes_the_job_without_claiming_a_status(tmp_path: Path) -> None:
    target = tmp_path / "ticket.bin"
    with open_printer(f"file://{target}", paper=58, text_mode=RASTER) as printer:
        assert not printer.status().verified
        printer.print_ticket(sample_ticket())
    from drivers.printer.ticket_layout import build_ticket

    assert target.read_bytes() == build_ticket(sample_ticket(), paper_profile(58, text_mode=RASTER))


@pytest.mark.parametrize("paper", [58, 80])
def test_hotline_numbers_are_never_split_across_lines(tmp_path: Path, paper: int) -> None:
    """GIVEN a hotline field too long for one line WHEN the ticket prints THEN the line
    wraps between the numbers: each number whole on one line, no line wider than the
    printer's columns (the printer would break it wherever the paper ends)."""
    hotline = "0218 3880 123 - 0912 345 678 (Zalo)"
    with running_emulator(tmp_path, paper=paper) as emulator:
        with open_printer(f"tcp://127.0.0.1:{emulator.port}", paper=paper, timeout=2) as printer:
            printer.print_ticket(sample_ticket(hotline=hotline))
        (job,) = emulator.wait_for_jobs(1)
    lines = job.text.splitlines()
    start = next(i for i, line in enumerate(lines) if "Hotline" in line)
    footer = lines[start:]
    assert " ".join(footer) == f"Đường dây nóng / Hotline: {hotline}"
    assert any("0218 3880 123" in line for line in footer)
    assert any("0912 345 678" in line for line in footer)
    columns = paper_profile(paper).width_dots // CELL_DOTS
    assert max(len(line) for line in footer) <= columns
    assert job.png_path is not None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(job.png_path, ARTIFACTS / f"ticket_{paper}mm_hotline.png")
