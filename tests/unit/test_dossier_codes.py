"""Dossier codes from messy human and scanner input (Circular 01/2018, art. 19)."""

from __future__ import annotations

import ast
import pathlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from device_kit.contract.dossier_codes import DossierCode, find_codes, normalise, parse_code
from device_kit.contract.errors import (
    DossierCodeBadAgency,
    DossierCodeBadDate,
    DossierError,
    EmptyDossierCode,
    InvalidDossierCode,
)

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DASH_SPELLINGS = ["-", " ", "_", "–", "—", "‑", " - ", "  _ ", "\u2212"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad"]

TABLE = [
    ("000.00.06.H56-231027-0361", "000.00.06.H56-231027-0361"),
    ("000.00.16.G04-220405-0008", "000.00.16.G04-220405-0008"),
    ("H56.14-240823-0001", "H56.14-240823-0001"),
    ("  000.00.06.h56-231027-0361\r\n", "000.00.06.H56-231027-0361"),
    ("000.00.06.H56 231027 0361", "000.00.06.H56-231027-0361"),
    ("000.00.06.H56_231027_0361", "000.00.06.H56-231027-0361"),
    ("000.00.06.H56 – 231027 – 0361", "000.00.06.H56-231027-0361"),
    ("000. 00 .06.H56--231027-0361.", "000.00.06.H56-231027-0361"),
    ("000.00.06.H56\u200b-231027-\u200b0361", "000.00.06.H56-231027-0361"),
    ("\ufeff０００.００.０６.Ｈ５６－２３１０２７－０３６１", "000.00.06.H56-231027-0361"),
    ("h56.14 240823 0001", "H56.14-240823-0001"),
    ("000.00.00.H29-240229-1234", "000.00.00.H29-240229-1234"),
    ("000 00 06 H56 231027 0361", "000.00.06.H56-231027-0361"),
    ("000 00 06 h56-231027-0361", "000.00.06.H56-231027-0361"),
    ("H56 14  240823 - 0001", "H56.14-240823-0001"),
    ("000.00 06.H56 231027 0361", "000.00.06.H56-231027-0361"),
]

REFUSED = [
    ("", EmptyDossierCode),
    ("  \r\n\u200b", EmptyDossierCode),
    ("000.00.06.H56-231327-0361", DossierCodeBadDate),
    ("000.00.06.H56-230229-0361", DossierCodeBadDate),
    ("000.00.06.Z56-231027-0361", DossierCodeBadAgency),
    ("000.00.06.056-231027-0361", DossierCodeBadAgency),
    ("000.H56.06-231027-0361", DossierCodeBadAgency),
    ("012345678901.H56-231027-0361", DossierCodeBadAgency),
    ("000.00.06.H56.000.00.06.000.00.06.00-231027-0361", DossierCodeBadAgency),
    ("000.00.06.H56-231027-361", InvalidDossierCode),
    ("000.00.06.H56-23102-0361", InvalidDossierCode),
    ("000.00.06.H56", InvalidDossierCode),
    ("012345678901", InvalidDossierCode),
    ("Nguyễn Văn An", InvalidDossierCode),
]


@pytest.mark.parametrize(("typed", "canonical"), TABLE)
def test_real_looking_codes_normalise_to_the_printed_form(typed: str, canonical: str) -> None:
    assert str(parse_code(typed)) == canonical


def test_parts_of_a_code_are_read() -> None:
    code = parse_code("000.00.06.H56-231027-0361")
    assert code == DossierCode("000.00.06.H56", date(2023, 10, 27), 361)
    assert (code.province, code.reversed_order) == ("H56", False)
    assert code.agency_groups == ("000", "00", "06", "H56")
    reversed_code = parse_code("H56.14-240823-0001")
    assert (reversed_code.province, reversed_code.reversed_order) == ("H56", True)
    assert reversed_code.received == date(2024, 8, 23)


@pytest.mark.parametrize(("typed", "error"), REFUSED)
def test_what_is_not_a_code_is_refused_with_its_reason(typed: str, error: type) -> None:
    with pytest.raises(error) as refusal:
        parse_code(typed)
    assert type(refusal.value) is error


def test_refusal_says_what_a_code_looks_like_and_where_it_is() -> None:
    with pytest.raises(DossierError) as refusal:
        parse_code("abc")
    assert refusal.value.code == "invalid_dossier_code"
    assert "Mã hồ sơ in trên giấy tiếp nhận, dạng 000.00.06.H56-231027-0361" in (
        refusal.value.message_vi
    )
    assert "printed on the receipt" in refusal.value.message
    assert refusal.value.status == 400


def test_codes_are_found_inside_longer_text() -> None:
    text = (
        "Mã hồ sơ: 000.00.06.H56 - 231027 - 0361; kèm H56.14-240823-0001. 000.00.06.H56-999999-0001"
    )
    assert [str(c) for c in find_codes(text)] == [
        "000.00.06.H56-231027-0361",
        "H56.14-240823-0001",
    ]


province = st.from_regex(r"[A-Y][0-9]{2}", fullmatch=True)
group = st.text(ALNUM, min_size=1, max_size=8)
digit_group = st.text("0123456789", min_size=1, max_size=3)


@st.composite
def agencies(draw: st.DrawFn) -> str:
    others = draw(st.lists(st.one_of(digit_group, group), max_size=4))
    parts = [draw(province), *others] if draw(st.booleans()) else [*others, draw(province)]
    agency = ".".join(parts)
    return agency if len(agency) <= 35 else draw(province)  # parts[0] may be no province


codes = st.builds(
    DossierCode,
    agency=agencies(),
    received=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    sequence=st.integers(0, 9999),
)


def _full_width(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if ch.isalnum() and ch.isascii() else ch


@st.composite
def messy(draw: st.DrawFn, code: DossierCode) -> str:
    """The canonical code as a person or a scanner might send it."""
    out = []
    for ch in str(code):
        if ch == "-":
            ch = draw(st.sampled_from(DASH_SPELLINGS))
        elif ch == "." and draw(st.booleans()):
            ch = draw(st.sampled_from([" .", ". ", " . ", " ", "  "]))
        elif draw(st.booleans()):
            ch = ch.lower()
        if draw(st.integers(0, 9)) == 0:
            ch = _full_width(ch)
        if draw(st.integers(0, 9)) == 0:
            ch = draw(st.sampled_from(ZERO_WIDTH)) + ch
        out.append(ch)
    lead = draw(st.sampled_from(["", " ", "\t", "\ufeff"]))
    tail = draw(st.sampled_from(["", " ", "\r\n", "\n", "\r"]))
    return lead + "".join(out) + tail


@given(codes.flatmap(lambda c: st.tuples(st.just(c), messy(c))))
def test_any_messy_rendering_gives_back_the_canonical_code(pair: tuple) -> None:
    code, typed = pair
    assert parse_code(typed) == code
    assert normalise(typed) == str(code)


@given(codes)
def test_parsing_the_canonical_form_round_trips(code: DossierCode) -> None:
    assert parse_code(str(code)) == code
    assert str(parse_code(str(code))) == str(code)


@given(st.text())
def test_random_text_only_ever_raises_the_typed_error(text: str) -> None:
    try:
        code = parse_code(text)
    except InvalidDossierCode:
        return
    assert parse_code(str(code)) == code


def test_dossier_domain_imports_no_framework_or_driver() -> None:
    forbidden = {"flask", "kivy", "sqlalchemy", "drivers"}
    package = pathlib.Path(__file__).parents[2] / "queue_server" / "dossiers"
    for path in [*package.rglob("*.py"), package.parent / "text.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not {n.split(".")[0] for n in names} & forbidden, path
