"""The citizen ID card's QR text, the age it gives on the site's today (the elderly
priority from 60), and the keyed hash the server matches instead of the number."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from clocks import TEST_NOW

from device_kit.contract.citizen_card import age_on, parse_citizen_card
from device_kit.contract.site_zone import DEFAULT_ZONE
from device_kit.site_time import site_time
from queue_server.citizen_id import KEY_FILE, CitizenIdKey, NotAnIdNumber
from queue_server.dossiers.connectors.mapping import FieldMapping, RowProblem

ID = "001088000123"
OLD_CARD = f"{ID}|012345678|Nguyễn Văn An|15031950|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|10052021"
NEW_CARD = f"{ID}||Trần Thị Bình|01011990|Nữ|Xã Ia Pa, Gia Lai|01072024"


def test_a_chip_card_gives_its_id_number_and_birth_date_only() -> None:
    card = parse_citizen_card(OLD_CARD)
    assert card is not None
    assert (card.id_number, card.birth_date) == (ID, date(1950, 3, 15))
    assert ID not in repr(card) and "1950" not in repr(card)


def test_the_2024_card_without_an_old_id_and_with_extra_fields_is_read() -> None:
    card = parse_citizen_card(NEW_CARD + "|Nguyễn Văn Cha|Lê Thị Mẹ|extra")
    assert card is not None and card.birth_date == date(1990, 1, 1)
    assert parse_citizen_card(f"  {NEW_CARD}\r\n") is not None  # scanners add line ends


@pytest.mark.parametrize(
    "text",
    [
        "",
        "000.00.06.H56-231027-0361",
        "https://dichvucong.gov.vn/?MHS=000.00.06.H56-231027-0361",
        f"{ID}|012345678|Nguyễn Văn An|15031950|Nam|Hà Nội",  # a field short
        "00108800012|012345678|Nguyễn Văn An|15031950|Nam|Hà Nội|10052021",  # 11 digits
        f"{ID}|12345|Nguyễn Văn An|15031950|Nam|Hà Nội|10052021",  # old ID not 9 digits
        f"{ID}|012345678||15031950|Nam|Hà Nội|10052021",  # no name
        f"{ID}|012345678|Nguyễn Văn An|31021950|Nam|Hà Nội|10052021",  # 31 February
        f"{ID}|012345678|Nguyễn Văn An|1503195|Nam|Hà Nội|10052021",
        f"{ID}|012345678|Nguyễn Văn An|15031950|Nam|Hà Nội|2021-05-10",
        f"{ID}|012345678|Nguyễn Văn An|15032030|Nam|Hà Nội|10052021",  # born after issue
        "０" * 12 + "|012345678|Nguyễn Văn An|15031950|Nam|Hà Nội|10052021",  # full-width
        OLD_CARD + "|" + "x" * 2000,
        "|" * 10,
    ],
)
def test_anything_else_is_not_a_card(text: str) -> None:
    assert parse_citizen_card(text) is None


def site_today() -> date:
    """The test day in the centre's zone (MOTCUA_TEST_NOW may move it)."""
    return site_time({"timezone": DEFAULT_ZONE}, TEST_NOW).date()


def born(today: date, years: int, days_later: int = 0) -> str:
    birthday = today.replace(year=today.year - years) + timedelta(days=days_later)
    return f"{birthday:%d%m%Y}"


def card_born(birth: str) -> str:
    return f"{ID}||Lê Văn Cao|{birth}|Nam|Hà Nội|01072024"


def test_sixty_on_the_day_is_elderly_and_the_day_before_is_not() -> None:
    today = site_today()
    sixty = parse_citizen_card(card_born(born(today, 60)))
    almost = parse_citizen_card(card_born(born(today, 60, days_later=1)))
    assert sixty is not None and almost is not None
    assert (sixty.age_on(today), sixty.elderly_on(today)) == (60, True)
    assert (almost.age_on(today), almost.elderly_on(today)) == (59, False)


def test_a_leap_day_birthday_turns_on_the_first_of_march() -> None:
    leap = date(1964, 2, 29)
    assert age_on(leap, date(2024, 2, 28)) == 59
    assert age_on(leap, date(2024, 2, 29)) == 60
    assert age_on(leap, date(2025, 2, 28)) == 60
    assert age_on(date(1967, 2, 28), date(2027, 2, 27)) == 59
    assert age_on(date(1967, 3, 1), date(2027, 2, 28)) == 59
    assert age_on(date(1967, 3, 1), date(2027, 3, 1)) == 60


def test_the_keyed_hash_depends_on_the_key_and_never_shows_the_number() -> None:
    key, other = CitizenIdKey(b"site-a"), CitizenIdKey(b"site-b")
    digest = key.digest(ID)
    assert len(digest) == 64 and ID not in digest
    assert key.digest("001 088 000 123") == digest == key.digest("001.088.000.123")
    assert other.digest(ID) != digest
    assert "site-a" not in repr(key)
    with pytest.raises(NotAnIdNumber) as refused:
        key.digest("012345678")
    assert "012345678" not in str(refused.value)


def test_the_key_is_made_once_in_the_data_directory(tmp_path: Path) -> None:
    first = CitizenIdKey.load("", tmp_path)
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert CitizenIdKey.load("", tmp_path).digest(ID) == first.digest(ID)
    assert CitizenIdKey.load("configured", tmp_path) == CitizenIdKey(b"configured")
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]


ROW = {"MaHoSo": "H56.14-240823-0001", "TrangThai": "2", "NgayTiepNhan": "23/08/2024 14:30"}


def test_the_mirror_keeps_the_hash_of_the_applicant_id_never_the_number() -> None:
    key = CitizenIdKey(b"k")
    mapping = FieldMapping.build(hash_id=key.digest)
    record = mapping.to_record(ROW | {"SoDinhDanh": ID})
    assert record.applicant_id_hash == key.digest(ID)
    assert ID not in repr(record)
    # A spreadsheet cell typed as a number lost its leading zeros.
    assert mapping.to_record(ROW | {"SoDinhDanh": int(ID)}).applicant_id_hash == key.digest(ID)
    assert mapping.to_record(ROW | {"SoDinhDanh": "012345678"}).applicant_id_hash == ""
    assert mapping.to_record(ROW).applicant_id_hash == ""
    site_named = FieldMapping.build({"applicant_id": "cccd"}, hash_id=key.digest)
    assert site_named.to_record(ROW | {"cccd": ID}).applicant_id_hash == key.digest(ID)


@pytest.mark.parametrize(
    ("mapping", "value"),
    [
        (FieldMapping.build(hash_id=CitizenIdKey(b"k").digest), "12345"),
        (FieldMapping.build(), ID),  # no key: the number would have to be kept raw
    ],
)
def test_a_bad_applicant_id_or_no_key_refuses_the_row_without_quoting_it(
    mapping: FieldMapping, value: str
) -> None:
    with pytest.raises(RowProblem) as refused:
        mapping.to_record(ROW | {"SoDinhDanh": value})
    assert refused.value.field == "applicant_id"
    assert value not in f"{refused.value.problem} {refused.value.problem_vi}"
