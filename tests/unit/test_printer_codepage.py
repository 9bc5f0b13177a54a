"""Vietnamese in the printer's own code page: which page, the exact bytes, read back."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from drivers.printer.codepage import model_pages, vietnamese_plan
from drivers.printer.profiles import paper_profile
from drivers.printer.render import CELL_HEIGHT, CELL_WIDTH, _wide_glyph
from drivers.printer.stream import EscPosParser, ParsedJob

LOWER = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
PANGRAM = "Trung tâm Phục vụ hành chính công — ĐĂNG KÝ KINH DOANH, Ưu tiên người cao tuổi"


def read_back(model: str, payload: bytes) -> str:
    jobs: list[ParsedJob] = []
    parser = EscPosParser(jobs.append, pages=model_pages(model))
    parser.feed(b"\x1b@" + payload + b"\n")
    parser.flush()
    return jobs[0].text


@pytest.mark.parametrize(
    ("model", "page"),
    [("TM-T88V", "TCVN-3"), ("TM-T20II", "TCVN-3"), ("CT-S651", "TCVN-3"),
     ("POS-5890", "CP1258"), ("NT-5890K", "CP1258"), ("NT-80-V-UL", "CP1258")],
)
def test_models_prefer_tcvn3_where_declared_and_every_letter_reads_back(
    model: str, page: str
) -> None:
    plan = vietnamese_plan(model)
    assert plan is not None and plan.name == page
    for text in (LOWER, LOWER.upper(), PANGRAM.replace("—", "-")):
        payload = plan.encode(text)
        assert payload is not None, text
        assert read_back(model, payload) == text


def test_tcvn3_is_one_whole_byte_per_letter_switching_case_pages() -> None:
    plan = vietnamese_plan("TM-T88V")
    assert plan is not None
    assert plan.encode("Đăng") == b"\x1bt\x1f\xa7\x1bt\x1e\xa8ng"  # Đ page 31, ă page 30
    assert plan.encode("ụ ạ") == b"\x1bt\x1e\xf4 \xb9"  # one byte each, one switch


def test_cp1258_uses_precomposed_letters_and_spells_the_rest_with_a_tone_mark() -> None:
    plan = vietnamese_plan("POS-5890")
    assert plan is not None
    assert plan.encode("à") == b"\x1bt\x1b\xe0"  # precomposed in CP1258
    assert plan.encode("ụ") == b"u\x1bt\x1b\xf2"  # u, then the combining dot below
    assert plan.encode("ậ") == b"\x1bt\x1b\xe2\xf2"  # â + combining dot below


def test_a_character_no_page_has_is_refused_so_the_line_becomes_a_raster() -> None:
    for model in ("TM-T88V", "POS-5890"):
        plan = vietnamese_plan(model)
        assert plan is not None and plan.encode("Dịch vụ ✓") is None


def test_text_mode_raster_and_models_without_a_page() -> None:
    assert vietnamese_plan("TM-T88V", "raster") is None
    assert vietnamese_plan("TM-T88III") is None  # declares no Vietnamese page
    with pytest.raises(ValueError, match="no Vietnamese code page"):
        vietnamese_plan("TM-T88III", "codepage")
    with pytest.raises(ValueError, match="text mode"):
        vietnamese_plan("TM-T88V", "ascii")  # type: ignore[arg-type]


@pytest.mark.parametrize("letter", LOWER + LOWER.upper())
def test_emulator_draws_each_letter_whole_in_its_cell(letter: str) -> None:
    """The cell shows the letter with its marks, not the bare base letter."""
    if letter.isascii():
        return
    cell = np.asarray(_wide_glyph(letter, False))
    assert cell.shape == (CELL_HEIGHT, CELL_WIDTH)
    base = unicodedata.normalize("NFD", letter)[0].translate({0x111: "d", 0x110: "D"})
    assert (cell < 128).sum() > 10
    assert not np.array_equal(cell, np.asarray(_wide_glyph(base, False)))


def test_a_model_without_a_declared_width_prints_the_papers_width() -> None:
    """python-escpos's "default" profile declares TCVN-3 but no width: a technician may
    still choose it."""
    profile = paper_profile(58, "default")
    assert profile.width_dots == paper_profile(58).width_dots
    assert profile.text is not None and profile.text.name == "TCVN-3"
