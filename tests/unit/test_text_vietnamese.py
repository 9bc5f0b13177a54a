"""Vietnamese text: NFC, accent-insensitive search, masked names."""

from __future__ import annotations

import unicodedata

import pytest

from queue_server.text import fold, folded_contains, mask_name, nfc, strip_accents


def test_nfc_composes_what_a_keyboard_sent_decomposed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert decomposed != "Nguyễn Văn An"
    assert nfc(decomposed) == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("nguyen van a", "Nguyễn Văn A"),
        ("NGUYEN  VAN A", "Nguyễn Văn A"),
        ("dang ky ket hon", "Đăng ký kết hôn"),
        ("đang xu ly", "ĐANG XỬ LÝ"),
        ("cap doi giay phep lai xe", "Cấp đổi Giấy phép lái xe"),
    ],
)
def test_search_ignores_accents_case_and_spacing(query: str, text: str) -> None:
    assert fold(query) == fold(text)
    assert folded_contains(f"Thủ tục: {text} (mức 3)", query)


def test_fold_of_decomposed_and_composed_text_agree() -> None:
    assert fold(unicodedata.normalize("NFD", "Hoàng Thị Thủy")) == "hoang thi thuy"


def test_strip_accents_keeps_case_for_sms() -> None:
    assert strip_accents("Đã trả kết quả - Đà Nẵng") == "Da tra ket qua - Da Nang"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V** A*"),
        ("  Trần   Thị Thu  Hương ", "Trần T** T** H****"),
        ("Lê Ánh", "Lê Á**"),
        ("Nguyễn Văn Anh", "Nguyễn V** A**"),
        ("Minh", "M***"),
        ("", ""),
        (unicodedata.normalize("NFD", "Đỗ Ưng"), "Đỗ Ư**"),
    ],
)
def test_public_name_keeps_family_name_and_initials(name: str, masked: str) -> None:
    assert mask_name(name) == masked
