"""SMS lookup texts: what people send, what fits one GSM-7 message back."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from device_kit.contract.dossier_codes import parse_code
from device_kit.contract.errors import DossierCodeBadDate, InvalidDossierCode
from queue_server.dossiers.sms import (
    fits_one_sms,
    gsm7_length,
    malformed_reply,
    parse_sms,
    status_reply,
    to_gsm7,
    too_many_reply,
    unknown_reply,
)
from queue_server.dossiers.status import DossierStatus

CODE = "000.00.06.H56-231027-0361"
DUE = datetime(2023, 11, 3, 7, 0, tzinfo=ZoneInfo("UTC"))  # 14:00 in Viet Nam
LONG_PLACE = (
    "Bộ phận Tiếp nhận và Trả kết quả, Trung tâm Phục vụ hành chính công tỉnh Gia Lai, "
    "số 2 Trần Phú, TP. Pleiku – Quầy số 5"
)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (f"HS {CODE}", CODE),
        ("hs 000.00.06.h56 231027 0361", CODE),
        (f"HS{CODE}", CODE),
        (f"TC {CODE}", CODE),
        ("tc H56.14-240823-0001", "H56.14-240823-0001"),
        (f"Tra cứu: {CODE}", CODE),
        (f"MHS={CODE}", CODE),
        (f"  Hs   {CODE}\r\n", CODE),
        (CODE, CODE),
        (f"Cho hoi ho so {CODE} da xong chua", CODE),
    ],
)
def test_incoming_variants_name_the_code(message: str, code: str) -> None:
    assert str(parse_sms(message)) == code


@pytest.mark.parametrize(
    "message", ["HS", "HS 12345", "xin chao", "", "HS 000.00.06.H56-231399-0361"]
)
def test_messages_without_a_code_are_refused(message: str) -> None:
    with pytest.raises(InvalidDossierCode):
        parse_sms(message)


def test_a_bad_date_keeps_its_reason() -> None:
    with pytest.raises(DossierCodeBadDate):
        parse_sms("HS 000.00.06.H56-231399-0361")


def test_status_reply_fits_one_gsm7_sms_without_diacritics() -> None:
    reply = status_reply(parse_code(CODE), DossierStatus.PROCESSING, DUE, LONG_PLACE)
    assert reply.startswith(f"HS {CODE}: Dang xu ly. Hen tra: 03/11/2023 14:00. Noi nhan KQ: ")
    assert reply.endswith("...")
    assert gsm7_length(reply) <= 160 and fits_one_sms(reply)


def test_reply_tells_what_to_do_and_skips_what_no_longer_matters() -> None:
    code = parse_code(CODE)
    supplement = status_reply(code, DossierStatus.SUPPLEMENT_REQUESTED, DUE, "Quầy 5")
    assert supplement == (
        f"HS {CODE}: Yeu cau bo sung giay to. Hen tra: 03/11/2023 14:00. "
        "Vui long bo sung giay to theo thong bao. Noi nhan KQ: Quay 5"
    )
    done = status_reply(code, DossierStatus.DONE, DUE, "Quầy 5")
    assert done == (
        f"HS {CODE}: Da xu ly xong. Moi ong/ba mang giay hen den nhan ket qua. Noi nhan KQ: Quay 5"
    )
    assert status_reply(code, DossierStatus.RETURNED, DUE, "Quầy 5") == (
        f"HS {CODE}: Da tra ket qua."
    )


def test_multipart_reply_keeps_vietnamese_marks() -> None:
    reply = status_reply(parse_code(CODE), DossierStatus.DONE, DUE, LONG_PLACE, single_sms=False)
    assert "Đã xử lý xong" in reply and reply.endswith("Quầy số 5")
    assert not fits_one_sms(reply)


def test_helpful_replies_for_malformed_unknown_and_flood() -> None:
    assert malformed_reply() == (
        "Tin nhan chua dung cu phap. Soan: HS <ma ho so>, vi du HS "
        "000.00.06.H56-231027-0361. Ma ho so in tren giay tiep nhan."
    )
    assert unknown_reply(parse_code(CODE), "0269 3823 456") == (
        f"Khong tim thay ho so {CODE}. Vui long kiem tra lai ma tren giay tiep nhan "
        "hoac goi 0269 3823 456."
    )
    assert "Bo phan Mot cua" in unknown_reply(parse_code(CODE))
    assert "Vui lòng" in too_many_reply(single_sms=False)
    for reply in (malformed_reply(), unknown_reply(parse_code(CODE)), too_many_reply()):
        assert fits_one_sms(reply)


def test_gsm7_accounting() -> None:
    assert gsm7_length("abc") == 3
    assert gsm7_length("a€[") == 5  # extension characters take two septets
    assert gsm7_length("Đã") is None
    assert fits_one_sms("Đã xử lý" * 8) is (len("Đã xử lý" * 8) <= 70)
    assert to_gsm7("Quầy số 5 – “A”") == 'Quay so 5 - "A"'


@given(
    st.sampled_from(list(DossierStatus)),
    st.text(max_size=300),
    st.booleans(),
)
def test_any_single_sms_reply_fits(status: DossierStatus, place: str, with_due: bool) -> None:
    reply = status_reply(parse_code(CODE), status, DUE if with_due else None, place)
    assert gsm7_length(reply) is not None and gsm7_length(reply) <= 160
    assert reply.startswith(f"HS {CODE}: ")
