"""Code-page tickets through the real driver to the emulator: what a person reads, 58 and 80 mm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from printer_fixtures import ARTIFACTS, TRACKING_URL, sample_slip, sample_ticket

from drivers.printer import open_printer
from drivers.printer.codepage import TextMode
from drivers.printer.emulator import EmulatedJob, PrinterEmulator
from drivers.printer.profiles import paper_profile
from drivers.printer.ticket_layout import build_ticket

#: (paper mm, python-escpos model, the page it prints Vietnamese in).
PRINTERS = [(80, "TM-T88V", "TCVN-3"), (80, "TM-T20II", "TCVN-3"), (58, "POS-5890", "CP1258")]


def print_through_emulator(
    tmp_path: Path, paper: int, model: str, text_mode: TextMode = "auto", **changes: object
) -> EmulatedJob:
    with PrinterEmulator(out_dir=tmp_path, paper=paper, model=model, idle_flush=0.2) as emulator:
        url = f"tcp://127.0.0.1:{emulator.port}"
        with open_printer(url, paper, model=model, timeout=2, text_mode=text_mode) as printer:
            printer.print_ticket(sample_ticket(priority_label=None, **changes))
        (job,) = emulator.wait_for_jobs(1)
    return job


@pytest.mark.parametrize(("paper", "model", "page"), PRINTERS)
def test_ticket_prints_vietnamese_as_text_a_person_reads(
    tmp_path: Path, paper: int, model: str, page: str
) -> None:
    job = print_through_emulator(tmp_path, paper, model)
    text = " ".join(job.text.split())  # lines wrap differently on 58 and 80 mm
    for expected in (
        "Trung tâm Phục vụ hành chính công tỉnh Hà Nam",
        "PHIẾU SỐ THỨ TỰ",
        "Đăng ký kinh doanh",
        "A023",
        "Số người đang chờ trước bạn: 5",
        "Quét mã QR để theo dõi lượt của bạn",
        "Đường dây nóng / Hotline: 1900 1234",
    ):
        assert expected in text, (page, expected)
    assert "1900 1234" in job.text.splitlines()[-1]  # the phone number never splits
    assert job.qr_payloads == [TRACKING_URL]
    assert not job.parsed.unknown_commands
    profile = paper_profile(paper, model)
    # Only a QR printed as an image (a model without native QR) is left as a raster.
    assert len(job.raster_boxes) == (0 if profile.native_qr else 1)
    assert job.png_path is not None
    shutil.copy(job.png_path, ARTIFACTS / f"codepage-{model}-{paper}mm.png")


def test_80mm_tm_t88v_ticket_fits_in_4_kb_and_5_s_at_9600_baud() -> None:
    payload = build_ticket(sample_ticket(), paper_profile(80, "TM-T88V"))
    assert len(payload) <= 4096
    assert len(payload) * 10 / 9600 < 5  # 8N1: ten bits a byte
    assert b"\x1bt\x1e" in payload and b"\x1bt\x1f" in payload  # TCVN-3 both cases


def test_a_line_the_page_cannot_show_alone_becomes_a_raster(tmp_path: Path) -> None:
    job = print_through_emulator(tmp_path, 80, "TM-T88V", service_name="Dịch vụ ✓ nhanh")
    assert "Dịch vụ" not in job.text  # the service line is an image
    assert "PHIẾU SỐ THỨ TỰ" in job.text.splitlines()
    assert len(job.raster_boxes) == 1


def test_raster_mode_prints_no_vietnamese_text(tmp_path: Path) -> None:
    job = print_through_emulator(tmp_path, 80, "TM-T88V", text_mode="raster")
    assert job.text.splitlines() == ["A023"]
    assert job.parsed.byte_count > 20_000


@pytest.mark.parametrize(("paper", "model"), [(80, "TM-T20II"), (58, "POS-5890")])
def test_slip_details_read_back_left_aligned(tmp_path: Path, paper: int, model: str) -> None:
    with PrinterEmulator(out_dir=tmp_path, paper=paper, model=model, idle_flush=0.2) as emulator:
        url = f"tcp://127.0.0.1:{emulator.port}"
        with open_printer(url, paper, model=model, timeout=2) as printer:
            printer.print_slip(sample_slip())
        (job,) = emulator.wait_for_jobs(1)
    assert "Trạng thái / Status: Đang xử lý" in job.text.splitlines()
    details = [op for op in job.parsed.ops if getattr(op, "text", "").startswith("Trạng thái")]
    assert [op.align for op in details] == ["left"]  # type: ignore[union-attr]
