"""Vietnamese text: NFC, accent-insensitive search, masked names."""

from __future__ import annotations

import unicodedata

import pytest

from queue_server.text import fold, fold_words, folded_contains, mask_name, nfc, strip_accents


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


def test_every_vietnamese_letter_and_tone_strips_to_its_base_letter() -> None:
    """The fast table and the Unicode decomposition agree, composed or not."""
    bases = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    for letter in bases + bases.upper():
        base = unicodedata.normalize("NFD", letter)[0]
        for tone in tones:
            composed = nfc(letter + tone)
            assert strip_accents(composed) == base
            assert strip_accents(unicodedata.normalize("NFD", composed)) == base
    assert strip_accents("Đđ ß 中文 Ω") == "Dd ß 中文 Ω"


def test_words_drop_punctuation_but_keep_codes_whole() -> None:
    assert fold_words("Đăng ký, cấp (lần đầu) – mã 1.009994.000.00.00.H56") == [
        "dang", "ky", "cap", "lan", "dau", "ma", "1.009994.000.00.00.h56"
    ]


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
