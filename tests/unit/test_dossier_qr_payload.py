"""The dossier code inside QR payloads; citizen ID numbers never leak."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from device_kit.contract.errors import (
    DossierCodeBadDate,
    EmptyDossierCode,
    InvalidDossierCode,
    NoCodeInPayload,
)
from device_kit.contract.qr_payload import extract, extract_code, redact

CODE = "000.00.06.H56-231027-0361"
CCCD = "079203012345"
CMND = "271234567"

PAYLOADS = [
    (CODE, CODE, None),
    (f"{CODE}\r\n", CODE, None),
    ("H56.14-240823-0001", "H56.14-240823-0001", None),
    (f"https://dichvucong.gialai.gov.vn/tra-cuu-ho-so?MHS={CODE}", CODE, None),
    (
        "https://motcua.soctrang.gov.vn/tracuu?mhs=000.00.16.g04-220405-0008",
        "000.00.16.G04-220405-0008",
        None,
    ),
    (f"https://dvc.example.gov.vn/hs?maHoSo={CODE}&cccd={CCCD}", CODE, None),
    (f"http://10.0.0.5/tracuu.aspx?code={CODE.replace('.', '%2E')}", CODE, None),
    (f"https://dvc.example.gov.vn/?id={CODE}&key=Xy7k", CODE, "Xy7k"),
    (f"https://dvc.example.gov.vn/p/tra-cuu?ref=qr&q={CODE}", CODE, None),
    (f"https://dvc.example.gov.vn/ho-so/{CODE}/chi-tiet", CODE, None),
    (f"www.dichvucong.gov.vn/tra-cuu?soHoSo={CODE}", CODE, None),
    (f"https://dvc.example.gov.vn/#/tra-cuu?mhs={CODE}", CODE, None),
    (json.dumps({"id": CODE, "secret": "a1b2c3"}), CODE, "a1b2c3"),
    (json.dumps({"maHoSo": CODE, "cccd": CCCD, "hoTen": "Nguyễn Văn An"}), CODE, None),
    (json.dumps({"data": {"hoso": {"ma_ho_so": CODE}, "pin": 4711}}), CODE, "4711"),
    (json.dumps({"cmnd": CMND, "note": f"Ma HS: {CODE}"}), CODE, None),
    (f"{CCCD}|{CMND}|Nguyễn Văn An|01011990|Nam|Gia Lai|{CODE}", CODE, None),
    (f"Mã hồ sơ: {CODE}", CODE, None),
]

NOT_CODES = [
    ("", EmptyDossierCode),
    ("   ", EmptyDossierCode),
    ("000.00.06.H56-231399-0361", DossierCodeBadDate),
    (f"{CCCD}|{CMND}|Nguyễn Văn An|01011990|Nam|Gia Lai", NoCodeInPayload),
    (f"https://dvc.example.gov.vn/tra-cuu?cccd={CCCD}", NoCodeInPayload),
    (json.dumps({"id": 12, "cccd": CCCD}), NoCodeInPayload),
    ("{not json", NoCodeInPayload),
    ("[" * 100_000, NoCodeInPayload),
    ("[" * 4000, NoCodeInPayload),
    (f"{CODE} " + "x" * 5000, NoCodeInPayload),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", NoCodeInPayload),
]


@pytest.mark.parametrize(("payload", "code", "secret"), PAYLOADS)
def test_receipt_payloads_yield_their_code(payload: str, code: str, secret: str | None) -> None:
    found = extract(payload)
    assert (str(found.code), found.secret) == (code, secret)
    assert CCCD not in repr(found) and CMND not in repr(found)


@pytest.mark.parametrize(("payload", "error"), NOT_CODES)
def test_payloads_without_a_code_are_refused(payload: str, error: type) -> None:
    with pytest.raises(error) as refusal:
        extract_code(payload)
    assert type(refusal.value) is error
    assert CCCD not in str(refusal.value) + refusal.value.message_vi


def test_the_secret_stays_out_of_repr() -> None:
    assert "a1b2c3" not in repr(extract(json.dumps({"id": CODE, "secret": "a1b2c3"})))


def test_redact_hides_id_and_phone_numbers_but_keeps_the_code() -> None:
    line = f"scan cccd={CCCD} cmnd {CMND} tel 0912 345 678 full ０７９２０３０１２３４５ -> {CODE}"
    assert redact(line) == (
        f"scan cccd=<redacted> cmnd <redacted> tel <redacted> full <redacted> -> {CODE}"
    )


ids = st.one_of(
    st.from_regex(r"0[0-9]{11}", fullmatch=True), st.from_regex(r"[1-9][0-9]{8}", fullmatch=True)
)
noise = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Nd"]), max_size=30)


@st.composite
def payloads_with_id(draw: st.DrawFn) -> tuple[str, str]:
    number = draw(ids)
    code = draw(st.sampled_from([CODE, "H56.14-240823-0001", "", "000.00.06.H56-231399-0361"]))
    shape = draw(st.sampled_from(["text", "url", "json", "pipe"]))
    left, right = draw(noise), draw(noise)
    if shape == "url":
        payload = f"https://dvc.example.gov.vn/{left}?cccd={number}&mhs={code}{right}"
    elif shape == "json":
        payload = json.dumps({"soCCCD": number, "id": code, left: right})
    elif shape == "pipe":
        payload = f"{number}|{left}|{code}|{right}"
    else:
        payload = f"{left}{number}{right}{code}"
    return payload, number


@given(payloads_with_id())
def test_an_id_number_never_reaches_a_result_or_an_error(case: tuple[str, str]) -> None:
    payload, number = case
    try:
        found = extract(payload)
    except InvalidDossierCode as refusal:
        shown = " ".join([str(refusal), repr(refusal), refusal.message, refusal.message_vi])
        assert number not in shown
        assert number not in redact(payload)
        return
    assert number not in str(found.code) and number not in repr(found)


@given(st.text())
def test_random_payloads_only_ever_raise_the_typed_error(text: str) -> None:
    try:
        found = extract(text)
    except InvalidDossierCode:
        return
    assert extract_code(str(found.code)) == found.code
