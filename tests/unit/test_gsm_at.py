"""AT command bytes and reply parsing for SMS text mode."""

from __future__ import annotations

import pytest

from drivers.errors import ProtocolError
from drivers.gsm import at


def test_command_bytes() -> None:
    assert at.setup_commands() == [
        b"ATE0\r",
        b"AT+CMGF=1\r",
        b'AT+CSCS="GSM"\r',
        b"AT+CNMI=2,1,0,0,0\r",
    ]
    assert at.read_message(7) == b"AT+CMGR=7\r"
    assert at.delete_message(7) == b"AT+CMGD=7\r"
    assert at.list_received() == b'AT+CMGL="REC UNREAD"\r'
    assert at.list_received("REC READ") == b'AT+CMGL="REC READ"\r'
    with pytest.raises(ValueError):  # not a sent message: catching up never answers those
        at.list_received("STO SENT")
    assert at.send_header("+84912345678") == b'AT+CMGS="+84912345678"\r'
    assert at.send_body("HS 000.00.06.H56-231027-0361: Dang xu ly.") == (
        b"HS 000.00.06.H56-231027-0361: Dang xu ly.\x1a"
    )


@pytest.mark.parametrize("number", ["0912 345 678", '09";AT+CMGD=1', ""])
def test_send_header_refuses_what_is_not_a_number(number: str) -> None:
    with pytest.raises(ValueError):
        at.send_header(number)


def test_body_may_not_end_the_message_early() -> None:
    with pytest.raises(ValueError):
        at.send_body("HS 1\x1aAT+CMGD=1")


def test_new_message_indication() -> None:
    assert at.new_message_index('+CMTI: "SM",12') == 12
    assert at.new_message_index('+CMTI: "ME", 3') == 3
    assert at.new_message_index("+CMGS: 4") is None


def test_read_answer() -> None:
    lines = ['+CMGR: "REC UNREAD","+84912345678",,"25/11/26,09:00:00+28"', "HS 000.00.06.H56"]
    sms = at.parse_read(3, lines)
    assert sms == at.Sms(3, "+84912345678", "HS 000.00.06.H56", "25/11/26,09:00:00+28")
    assert at.parse_read(3, []) is None
    with pytest.raises(ProtocolError):
        at.parse_read(3, ["garbage"])


def test_list_answer_keeps_multi_line_texts() -> None:
    lines = [
        '+CMGL: 1,"REC UNREAD","+84911111111",,"25/11/26,09:00:00+28"',
        "HS 000.00.06.H56-231027-0361",
        '+CMGL: 4,"REC UNREAD","0922222222",,"25/11/26,09:01:00+28"',
        "tra cuu",
        "ho so",
    ]
    assert at.parse_list(lines) == [
        at.Sms(1, "+84911111111", "HS 000.00.06.H56-231027-0361"),
        at.Sms(4, "0922222222", "tra cuu\nho so"),
    ]


def test_send_answer() -> None:
    assert at.parse_send(["+CMGS: 17"]) == 17
    with pytest.raises(ProtocolError):
        at.parse_send([])
