"""The Vietnamese (and English) number reader, against a table written by hand, in
the northern and southern words."""

from __future__ import annotations

import pytest

from device_kit.contract.device_wire import ANNOUNCEMENT_MODES, ANNOUNCEMENT_VARIANTS
from drivers.audio.announcement import (
    Reading,
    Variant,
    read_number_en,
    read_number_variant,
    read_number_vi,
    spoken_text,
)

VIETNAMESE = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (9, "chín"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (19, "mười chín"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (31, "ba mươi mốt"),
    (44, "bốn mươi tư"),
    (55, "năm mươi lăm"),
    (70, "bảy mươi"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (205, "hai trăm linh năm"),
    (300, "ba trăm"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1021, "một nghìn không trăm hai mươi mốt"),
    (2024, "hai nghìn không trăm hai mươi tư"),
    (2500, "hai nghìn năm trăm"),
    (15000, "mười lăm nghìn"),
    (21000, "hai mươi mốt nghìn"),
    (100000, "một trăm nghìn"),
    (1000000, "một triệu"),
    (1001000, "một triệu không trăm linh một nghìn"),
    (2000000000, "hai tỷ"),
]


@pytest.mark.parametrize(("number", "words"), VIETNAMESE)
def test_vietnamese_numbers_follow_the_spoken_rules(number: int, words: str) -> None:
    assert read_number_vi(number) == words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (25, "hai mươi nhăm"),
        (15, "mười lăm"),  # "nhăm" follows "mươi" only
        (105, "một trăm lẻ năm"),
        (1005, "một nghìn không trăm lẻ năm"),
    ],
)
def test_regional_variants(number: int, words: str) -> None:
    assert read_number_vi(number, zero_tens="lẻ", five="nhăm") == words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zero"),
        (5, "five"),
        (13, "thirteen"),
        (23, "twenty-three"),
        (40, "forty"),
        (105, "one hundred five"),
        (999, "nine hundred ninety-nine"),
        (1200, "one thousand two hundred"),
    ],
)
def test_english_numbers(number: int, words: str) -> None:
    assert read_number_en(number) == words


@pytest.mark.parametrize("number", [-1, 10**12])
def test_out_of_range_numbers_are_refused(number: int) -> None:
    with pytest.raises(ValueError):
        read_number_vi(number)


@pytest.mark.parametrize(
    ("mode", "variant", "ticket"),
    [
        ("digits", "north", "A, một, không, một"),
        ("digits", "south", "A, một, không, một"),
        ("number", "north", "A, một trăm linh một"),
        ("number", "south", "A, một trăm lẻ một"),
    ],
)
def test_a101_in_each_reading_and_variant(mode: str, variant: str, ticket: str) -> None:
    """The counter is read in the variant's words too (counter 101: linh / lẻ)."""
    counter = {"north": "một trăm linh một", "south": "một trăm lẻ một"}[variant]
    assert spoken_text("A101", 101, "vi", mode, variant=variant) == (
        f"Mời công dân có số {ticket}, đến quầy số {counter}"
    )


@pytest.mark.parametrize(
    ("number", "north", "south"),
    [
        (1000, "một nghìn", "một ngàn"),
        (1101, "một nghìn một trăm linh một", "một ngàn một trăm lẻ một"),
        (250_000, "hai trăm năm mươi nghìn", "hai trăm năm mươi ngàn"),
        (2_001_005, "hai triệu không trăm linh một nghìn không trăm linh năm",
         "hai triệu không trăm lẻ một ngàn không trăm lẻ năm"),
    ],
)
def test_thousands_are_named_by_the_variant(number: int, north: str, south: str) -> None:
    assert read_number_variant(number, Variant.NORTH) == north
    assert read_number_variant(number, Variant.SOUTH) == south


def test_the_device_contract_names_the_readings_and_variants_the_driver_knows() -> None:
    """The server and the boards validate against the contract; the driver reads them."""
    assert set(ANNOUNCEMENT_MODES) == {r.value for r in Reading}
    assert set(ANNOUNCEMENT_VARIANTS) == {v.value for v in Variant}
