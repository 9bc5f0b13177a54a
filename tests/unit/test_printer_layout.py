"""Ticket and slip layouts: exact ESC/POS bytes, Vietnamese rasters, native number and QR."""

from __future__ import annotations

import struct
import unicodedata
from datetime import date, datetime
from typing import Final

import numpy as np
import pytest
from PIL import Image, ImageDraw

from drivers.errors import FontMissing
from drivers.printer import raster_text
from drivers.printer.profiles import paper_profile
from drivers.printer.raster_text import TextStyle, load_font, render_lines
from drivers.printer.render import read_qr_codes
from drivers.printer.stream import EscPosParser, ParsedJob
from drivers.printer.ticket_layout import (
    RasterOp,
    SlipData,
    TicketData,
    build_slip,
    build_ticket,
    ticket_ops,
)

#: These tests are about Vietnamese as rasters; the code-page path has its own.
RASTER: Final = "raster"
RASTER_80 = paper_profile(80, text_mode=RASTER)

ESC, GS = b"\x1b", b"\x1d"
URL = "https://motcua.example.vn/t/A023-7f3k"
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)


def ticket(**changes: object) -> TicketData:
    fields: dict[str, object] = dict(
        centre_name="Trung tâm Phục vụ hành chính công",
        service_name="Đăng ký kinh doanh",
        number="A023",
        issued_at=datetime(2026, 11, 24, 9, 5),
        tracking_url=URL,
        people_ahead=5,
        priority_label=None,
        hotline="1900 1234",
    )
    fields.update(changes)
    return TicketData(**fields)  # type: ignore[arg-type]


def raster_command(image: Image.Image) -> bytes:
    """``GS v 0`` for ``image`` (black = 0), encoded here independently of python-escpos."""
    dots = np.asarray(image) < 128
    header = GS + b"v0\x00" + struct.pack("<HH", (image.width + 7) // 8, image.height)
    return header + np.packbits(dots, axis=1).tobytes()


def qr_commands(payload: str, module_size: int) -> bytes:
    store = b"1P0" + payload.encode()
    return b"".join(
        [
            b"\x1d(k\x04\x001A2\x00",  # model 2
            b"\x1d(k\x03\x001C" + bytes([module_size]),  # module size in dots
            b"\x1d(k\x03\x001E0",  # error correction L
            b"\x1d(k" + struct.pack("<H", len(store)) + store,  # store the payload
            b"\x1d(k\x03\x001Q0",  # print the stored symbol
        ]
    )


def rasters(data: TicketData, paper: int) -> dict[str, bytes]:
    ops = ticket_ops(data, paper_profile(paper, text_mode=RASTER))
    return {op.name: raster_command(op.image) for op in ops if isinstance(op, RasterOp)}


def parse(data: bytes) -> ParsedJob:
    jobs: list[ParsedJob] = []
    parser = EscPosParser(jobs.append)
    parser.feed(data)
    parser.flush()
    assert len(jobs) == 1
    return jobs[0]


def test_80mm_ticket_is_exactly_the_documented_byte_sequence() -> None:
    """GIVEN a ticket WHEN laid out for 80 mm THEN every byte is where the spec puts it."""
    data = ticket()
    raster = rasters(data, 80)
    expected = b"".join(
        [
            b"\x1b@",  # ESC @ initialise
            b"\x1ba\x01",  # ESC a 1 centre
            raster["centre"],
            raster["title"],
            raster["service"],
            b"\x1d!\x33",  # GS ! 4x4 size
            b"\x1bE\x01",  # ESC E bold on
            b"A023\n",
            b"\x1d!\x00",  # GS ! normal size
            b"\x1bE\x00",  # bold off
            raster["details"],
            b"\n",
            qr_commands(URL, 6),
            b"\n",
            raster["scan_hint"],
            raster["hotline"],
            b"\x1bd\x06",  # ESC d 6 feed
            b"\x1dV\x00",  # GS V 0 full cut
        ]
    )
    assert build_ticket(data, RASTER_80) == expected


def test_priority_ticket_adds_an_inverted_priority_band_after_the_number() -> None:
    data = ticket(priority_label="Người cao tuổi")
    names = [op.name for op in ticket_ops(data, RASTER_80) if isinstance(op, RasterOp)]
    assert names == ["centre", "title", "service", "priority", "details", "scan_hint", "hotline"]
    band = next(
        op
        for op in ticket_ops(data, RASTER_80)
        if isinstance(op, RasterOp) and op.name == "priority"
    )
    dots = np.asarray(band.image) < 128
    assert dots.mean() > 0.5  # white text on a black band


def test_58mm_ticket_prints_the_qr_as_an_image_and_has_no_cut() -> None:
    """The 58 mm profile (POS-5890) has neither native QR nor a cutter."""
    payload = build_ticket(ticket(), paper_profile(58, text_mode=RASTER))
    assert GS + b"(k" not in payload
    assert GS + b"V" not in payload
    assert payload.endswith(ESC + b"d\x06")
    job = parse(payload)
    assert job.text == "A023"
    assert all(raster.image.width == 384 for raster in job.rasters)
    decoded = [payload for raster in job.rasters for payload in read_qr_codes(raster.image)]
    assert decoded == [URL]


def test_512_dot_model_keeps_rasters_within_its_head() -> None:
    job = parse(build_ticket(ticket(), paper_profile(model="TM-T88V", text_mode=RASTER)))
    assert {raster.image.width for raster in job.rasters} == {512}
    assert job.qr_payloads == [URL]


def test_decomposed_vietnamese_input_prints_like_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký kinh doanh")
    assert decomposed != "Đăng ký kinh doanh"
    data = ticket(service_name=decomposed)
    assert data.service_name == "Đăng ký kinh doanh"
    assert build_ticket(data, RASTER_80) == build_ticket(ticket(), RASTER_80)


def test_font_has_a_real_glyph_for_every_vietnamese_letter() -> None:
    """No tofu: each letter, lower and upper case, differs from the missing-glyph box."""
    font = load_font(24)

    def glyph(letter: str) -> bytes:
        image = Image.new("L", (40, 40), 255)
        ImageDraw.Draw(image).text((4, 4), letter, font=font, fill=0)
        return image.tobytes()

    missing = glyph("\U000f0000")
    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    tofu = [letter for letter in letters if glyph(letter) == missing]
    assert tofu == []


def test_raster_text_is_pure_black_and_white_and_wraps_to_the_paper() -> None:
    image = render_lines(["Trung tâm Phục vụ hành chính công tỉnh Hà Nam"], 384, TextStyle(26))
    assert image.width == 384
    assert set(np.unique(np.asarray(image))) <= {0, 255}
    one_line = render_lines(["Hà Nam"], 384, TextStyle(26))
    assert image.height > one_line.height  # wrapped onto a second line


def test_missing_font_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_PRINTER_FONT", "/nonexistent/NoSuchFont.ttf")
    raster_text.load_font.cache_clear()
    try:
        with pytest.raises(FontMissing, match="fonts-dejavu-core"):
            load_font(24)
    finally:
        raster_text.load_font.cache_clear()


def test_ticket_number_must_be_ascii_for_native_text() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        ticket(number="Ư023")


def test_slip_prints_code_natively_and_details_as_raster() -> None:
    slip = SlipData(
        centre_name="Trung tâm Phục vụ hành chính công",
        dossier_code="000.00.06.H56-231027-0361",
        procedure="Cấp giấy chứng nhận đăng ký hộ kinh doanh",
        status_text="Đang xử lý",
        printed_at=datetime(2026, 11, 24, 9, 30),
        due_date=date(2026, 11, 30),
        timeliness="Đúng hạn",
        tracking_url="https://motcua.example.vn/hs/000.00.06.H56-231027-0361",
    )
    payload = build_slip(slip, RASTER_80)
    assert GS + b"!\x01" + ESC + b"E\x01" + b"000.00.06.H56-231027-0361\n" in payload
    job = parse(payload)
    assert job.text == "000.00.06.H56-231027-0361"
    assert job.qr_payloads == [slip.tracking_url]
    assert job.cut
    assert len(job.rasters) == 4  # centre, title, code label, details
