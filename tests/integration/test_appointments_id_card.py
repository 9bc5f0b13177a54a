"""Booking check-in by the citizen ID card, on SQLite and PostgreSQL: a booking that
gave the personal ID number is checked in by the number the kiosk read from the card;
the server keeps only the number's keyed hash (Decree 13/2023/NĐ-CP), never the
number, in any table, event, audit row, SMS, log or backup."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clocks import FakeClock
from server_fixtures import Api
from test_appointments_api import book, check_in, next_working_day, open_bookings, slots
from test_citizen_dossiers import backup_bytes, database_text

ID = "001088000123"
OTHER_ID = "079201001234"


def check_in_by_card(api: Api, id_number: str) -> Any:
    return api.call("POST", "/appointments/check-in", "kiosk", json={"id_number": id_number})


def _slot(api: Api, clock: FakeClock, index: int = 4) -> str:
    return str(slots(api, next_working_day(clock))[index]["start"])


def test_a_booking_with_the_id_checks_in_once_by_the_card(api: Api, clock: FakeClock) -> None:
    open_bookings(api)
    start = _slot(api, clock)
    booked = book(api, start, "0912345678", id_number="0010 8800 0123")
    assert booked.status_code == 201, booked.json
    assert ID not in booked.get_data(as_text=True).replace(" ", "")
    clock.now = datetime.fromisoformat(start) - timedelta(minutes=5)
    ticket = check_in_by_card(api, ID)
    assert ticket.status_code == 201, ticket.json
    assert ticket.json["priority"] == "appointment"
    assert ticket.json["appointment"]["code"] == booked.json["code"]
    again = check_in_by_card(api, ID)
    assert again.status_code == 409 and again.json["error"]["code"] == "booking_not_active"
    assert check_in(api, booked.json["code"]).status_code == 409


def test_a_booking_without_the_id_is_not_found_by_a_card(api: Api, clock: FakeClock) -> None:
    open_bookings(api)
    start = _slot(api, clock)
    code = book(api, start, "0912345678").json["code"]
    book(api, start, "0987654321", id_number=OTHER_ID)
    clock.now = datetime.fromisoformat(start)
    refused = check_in_by_card(api, ID)
    assert refused.status_code == 404
    error = refused.json["error"]
    assert error["code"] == "no_booking_for_card"
    assert "thẻ căn cước" in error["message_vi"] and "ID card" in error["message"]
    assert check_in(api, code).status_code == 201


def test_the_card_outside_the_window_gets_the_same_refusal(api: Api, clock: FakeClock) -> None:
    open_bookings(api)
    start = _slot(api, clock)
    book(api, start, "0912345678", id_number=ID)
    clock.now = datetime.fromisoformat(start) - timedelta(minutes=16)
    early = check_in_by_card(api, ID)
    assert early.status_code == 409 and early.json["error"]["details"]["reason"] == "early"
    assert early.json["error"]["details"]["service"] == "ho-tich"


def test_of_two_bookings_with_one_id_the_open_window_is_taken(
    api: Api, clock: FakeClock
) -> None:
    open_bookings(api)
    first, second = _slot(api, clock, 4), _slot(api, clock, 5)
    codes = [
        book(api, first, "0912345678", id_number=ID).json["code"],
        book(api, second, "0987654321", id_number=ID).json["code"],
    ]
    clock.now = datetime.fromisoformat(first) + timedelta(minutes=25)  # first: closed
    ticket = check_in_by_card(api, ID)
    assert ticket.status_code == 201 and ticket.json["appointment"]["code"] == codes[1]
    clock.now = datetime.fromisoformat(first) + timedelta(minutes=26)
    late = check_in_by_card(api, ID)
    assert late.status_code == 409 and late.json["error"]["details"]["reason"] == "late"


@pytest.mark.parametrize("bad", ["00108800012", "0010880001234", "00108800012x", "abc"])
def test_a_bad_id_number_is_refused_in_the_error_shape(
    api: Api, clock: FakeClock, bad: str
) -> None:
    open_bookings(api)
    start = _slot(api, clock)
    refused = book(api, start, "0912345678", id_number=bad)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_id_number"
    assert refused.json["error"]["message_vi"]
    assert bad not in refused.get_data(as_text=True)
    assert slots(api, next_working_day(clock))[4]["free"] == 2
    card = check_in_by_card(api, bad)
    assert card.status_code == 400 and card.json["error"]["code"] == "invalid_id_number"


def test_check_in_takes_a_code_or_an_id_number_not_both(api: Api) -> None:
    for body in ({}, {"code": "ABCDEF", "id_number": ID}):
        refused = api.call("POST", "/appointments/check-in", "kiosk", json=body)
        assert refused.status_code == 400 and "error" in refused.json
        assert ID not in refused.get_data(as_text=True)
    anonymous = api.call("POST", "/appointments/check-in", json={"id_number": ID})
    assert anonymous.status_code == 401


def test_the_id_number_is_kept_nowhere(
    api: Api, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    open_bookings(api)
    start = _slot(api, clock)
    code = book(api, start, "0912345678", name="Nguyễn Văn An", id_number=ID).json["code"]
    clock.now = datetime.fromisoformat(start)
    assert check_in_by_card(api, ID).status_code == 201
    assert check_in_by_card(api, ID).status_code == 409
    rows = database_text(api)
    assert code in rows and api.runtime.id_key.digest(ID) in rows
    assert ID not in rows
    assert ID not in caplog.text
    assert ID.encode() not in backup_bytes(api, tmp_path)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert ID.encode() not in path.read_bytes(), path


def test_the_openapi_document_describes_the_id_number(api: Api) -> None:
    document = api.call("GET", "/openapi.json").json
    schemas = document["components"]["schemas"]
    for path in ("/api/v1/appointments", "/api/v1/appointments/check-in"):
        operation = document["paths"][path]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert "id_number" in schemas[ref.rsplit("/", 1)[1]]["properties"], path
        assert "400" in operation["responses"]
