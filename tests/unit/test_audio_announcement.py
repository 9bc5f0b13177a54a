"""Announcement texts for 50 sample tickets, against Vietnamese and English written by hand."""

from __future__ import annotations

import unicodedata

import pytest

from drivers.audio.announcement import announcement_text, spoken_text

MOI = "Mời công dân có số"

# (ticket, counter, lang, mode, recall, what the hall must hear)
SPOKEN = [
    ("A023", 5, "vi", "digits", False, f"{MOI} A, không, hai, ba, đến quầy số năm"),
    ("A001", 1, "vi", "digits", False, f"{MOI} A, không, không, một, đến quầy số một"),
    ("A100", 2, "vi", "digits", False, f"{MOI} A, một, không, không, đến quầy số hai"),
    ("B015", 3, "vi", "digits", False, f"{MOI} Bê, không, một, năm, đến quầy số ba"),
    ("C124", 4, "vi", "digits", False, f"{MOI} Xê, một, hai, bốn, đến quầy số bốn"),
    ("D999", 10, "vi", "digits", False, f"{MOI} Dê, chín, chín, chín, đến quầy số mười"),
    ("Đ007", 11, "vi", "digits", False, f"{MOI} Đê, không, không, bảy, đến quầy số mười một"),
    ("E050", 12, "vi", "digits", False, f"{MOI} E, không, năm, không, đến quầy số mười hai"),
    ("G068", 15, "vi", "digits", False, f"{MOI} Giê, không, sáu, tám, đến quầy số mười lăm"),
    ("H321", 21, "vi", "digits", False, f"{MOI} Hát, ba, hai, một, đến quầy số hai mươi mốt"),
    ("K456", 6, "vi", "digits", False, f"{MOI} Ca, bốn, năm, sáu, đến quầy số sáu"),
    ("L789", 7, "vi", "digits", False, f"{MOI} E-lờ, bảy, tám, chín, đến quầy số bảy"),
    ("M010", 8, "vi", "digits", False, f"{MOI} Em-mờ, không, một, không, đến quầy số tám"),
    ("N202", 9, "vi", "digits", False, f"{MOI} En-nờ, hai, không, hai, đến quầy số chín"),
    ("P333", 14, "vi", "digits", False, f"{MOI} Pê, ba, ba, ba, đến quầy số mười bốn"),
    ("Q004", 24, "vi", "digits", False, f"{MOI} Quy, không, không, bốn, đến quầy số hai mươi tư"),
    ("R560", 25, "vi", "digits", False, f"{MOI} E-rờ, năm, sáu, không, đến quầy số hai mươi lăm"),
    ("S111", 20, "vi", "digits", False, f"{MOI} Ét-xì, một, một, một, đến quầy số hai mươi"),
    ("T808", 3, "vi", "digits", False, f"{MOI} Tê, tám, không, tám, đến quầy số ba"),
    ("U090", 2, "vi", "digits", False, f"{MOI} U, không, chín, không, đến quầy số hai"),
    ("V645", 1, "vi", "digits", False, f"{MOI} Vê, sáu, bốn, năm, đến quầy số một"),
    ("X012", 5, "vi", "digits", False, f"{MOI} Ích-xì, không, một, hai, đến quầy số năm"),
    (
        "Y500", 31, "vi", "digits", False,
        f"{MOI} I-grếc, năm, không, không, đến quầy số ba mươi mốt",
    ),
    ("a023", 5, "vi", "digits", False, f"{MOI} A, không, hai, ba, đến quầy số năm"),
    (" B007 ", 2, "vi", "digits", False, f"{MOI} Bê, không, không, bảy, đến quầy số hai"),
    ("A023", 5, "vi", "number", False, f"{MOI} A, hai mươi ba, đến quầy số năm"),
    ("A001", 1, "vi", "number", False, f"{MOI} A, một, đến quầy số một"),
    ("A010", 2, "vi", "number", False, f"{MOI} A, mười, đến quầy số hai"),
    ("B011", 3, "vi", "number", False, f"{MOI} Bê, mười một, đến quầy số ba"),
    # the kiosks' reserved band (offline tickets) and the online numbers past it
    ("B900", 3, "vi", "digits", False, f"{MOI} Bê, chín, không, không, đến quầy số ba"),
    ("B905", 3, "vi", "number", False, f"{MOI} Bê, chín trăm linh năm, đến quầy số ba"),
    ("B1000", 3, "vi", "number", False, f"{MOI} Bê, một nghìn, đến quầy số ba"),
    ("C015", 4, "vi", "number", False, f"{MOI} Xê, mười lăm, đến quầy số bốn"),
    ("D021", 5, "vi", "number", False, f"{MOI} Dê, hai mươi mốt, đến quầy số năm"),
    ("E024", 6, "vi", "number", False, f"{MOI} E, hai mươi tư, đến quầy số sáu"),
    ("G025", 7, "vi", "number", False, f"{MOI} Giê, hai mươi lăm, đến quầy số bảy"),
    ("H105", 8, "vi", "number", False, f"{MOI} Hát, một trăm linh năm, đến quầy số tám"),
    ("K110", 9, "vi", "number", False, f"{MOI} Ca, một trăm mười, đến quầy số chín"),
    ("L115", 10, "vi", "number", False, f"{MOI} E-lờ, một trăm mười lăm, đến quầy số mười"),
    ("M200", 11, "vi", "number", False, f"{MOI} Em-mờ, hai trăm, đến quầy số mười một"),
    (
        "N999", 12, "vi", "number", False,
        f"{MOI} En-nờ, chín trăm chín mươi chín, đến quầy số mười hai",
    ),
    ("P000", 1, "vi", "number", False, f"{MOI} Pê, không, đến quầy số một"),
    ("T041", 21, "vi", "number", False, f"{MOI} Tê, bốn mươi mốt, đến quầy số hai mươi mốt"),
    (
        "A023", 5, "vi", "digits", True,
        "Nhắc lại, mời công dân có số A, không, hai, ba, đến quầy số năm",
    ),
    (
        "B105", 12, "vi", "number", True,
        "Nhắc lại, mời công dân có số Bê, một trăm linh năm, đến quầy số mười hai",
    ),
    ("A023", 5, "en", "digits", False, "Ticket A, zero, two, three, please go to counter five"),
    ("B105", 12, "en", "number", False, "Ticket B, one hundred five, please go to counter twelve"),
    ("C015", 3, "en", "number", False, "Ticket C, fifteen, please go to counter three"),
    ("D120", 20, "en", "digits", False, "Ticket D, one, two, zero, please go to counter twenty"),
    (
        "E007", 21, "en", "number", True,
        "Reminder, ticket E, seven, please go to counter twenty-one",
    ),
    (
        "L044", 14, "en", "digits", False,
        "Ticket L, zero, four, four, please go to counter fourteen",
    ),
    (
        "A999", 9, "en", "number", False,
        "Ticket A, nine hundred ninety-nine, please go to counter nine",
    ),
    ("Y050", 40, "en", "number", False, "Ticket Y, fifty, please go to counter forty"),
]  # fmt: skip


@pytest.mark.parametrize(("ticket", "counter", "lang", "mode", "recall", "expected"), SPOKEN)
def test_spoken_announcement(
    ticket: str, counter: int, lang: str, mode: str, recall: bool, expected: str
) -> None:
    """The table is written in NFC, so an equal text is NFC too (what the speech
    engine and the board expect)."""
    assert spoken_text(ticket, counter, lang, mode, recall=recall) == expected


@pytest.mark.parametrize(
    ("ticket", "counter", "lang", "recall", "expected"),
    [
        ("A023", 5, "vi", False, "Mời công dân có số A023 đến quầy số 5"),
        (" b105 ", 12, "vi", False, "Mời công dân có số B105 đến quầy số 12"),
        ("Đ007", 3, "vi", False, "Mời công dân có số Đ007 đến quầy số 3"),
        ("A023", 5, "vi", True, "Nhắc lại, mời công dân có số A023 đến quầy số 5"),
        ("A023", 5, "en", False, "Ticket A023, please go to counter 5"),
        ("C100", 2, "en", True, "Reminder, ticket C100, please go to counter 2"),
    ],
)
def test_written_announcement(
    ticket: str, counter: int, lang: str, recall: bool, expected: str
) -> None:
    assert announcement_text(ticket, counter, lang, recall=recall) == expected


def test_decomposed_input_is_read_like_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Đ007")
    assert spoken_text(decomposed, 3) == f"{MOI} Đê, không, không, bảy, đến quầy số ba"


@pytest.mark.parametrize("ticket", ["", "023A", "A-23", "ABCD001", "A0234567"])
def test_what_is_not_a_ticket_is_refused(ticket: str) -> None:
    with pytest.raises(ValueError, match="not a ticket"):
        announcement_text(ticket, 1)


def test_a_parked_visitor_called_back_hears_to_come_back_to_the_counter() -> None:
    assert announcement_text("B012", 3, returning=True) == (
        "Mời công dân có số B012 quay lại quầy số 3"
    )
    assert spoken_text("B012", 3, "vi", "digits", returning=True) == (
        f"{MOI} Bê, không, một, hai, quay lại quầy số ba"
    )
    assert announcement_text("B012", 3, "en", returning=True) == (
        "Ticket B012, please come back to counter 3"
    )
