"""What the hall hears when a ticket is called: Vietnamese first, English as an option (pure).

Two forms of the same announcement:

* :func:`announcement_text` is the written form for screens and logs:
  ``Mời công dân có số A023 đến quầy số 5``.
* :func:`spoken_text` is what the synthesiser (or a recorded clip pack) reads, with
  every letter and number spelled out in words: ``Mời công dân có số A, không,
  hai, ba, đến quầy số năm`` (``mode="digits"``) or ``... số A, hai mươi ba, ...``
  (``mode="number"``). Spelling it out here rather than leaving it to espeak-ng
  keeps the Vietnamese number rules right and lets a clip pack cover every word.

Numbers are read the northern way (``một trăm linh một``, ``một nghìn``) or the
southern way (``một trăm lẻ một``, ``một ngàn``): the ``variant`` a centre sets, so
the hall hears the words its visitors use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

DIGITS_VI = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES_VI = ("", "nghìn", "triệu", "tỷ")

# Vietnamese names of the letters, as announcers say them (capitalised: a proper name
# inside a sentence); the ones outside the Vietnamese alphabet (F J W Z) included.
LETTERS_VI = {
    "A": "A", "B": "Bê", "C": "Xê", "D": "Dê", "Đ": "Đê", "E": "E", "F": "Ép",
    "G": "Giê", "H": "Hát", "I": "I", "J": "Gi", "K": "Ca", "L": "E-lờ", "M": "Em-mờ",
    "N": "En-nờ", "O": "O", "P": "Pê", "Q": "Quy", "R": "E-rờ", "S": "Ét-xì", "T": "Tê",
    "U": "U", "V": "Vê", "W": "Vê-kép", "X": "Ích-xì", "Y": "I-grếc", "Z": "Dét",
}  # fmt: skip

ONES_EN = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
TENS_EN = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

TEMPLATES = {
    ("vi", False): "Mời công dân có số {ticket} đến quầy số {counter}",
    ("vi", True): "Nhắc lại, mời công dân có số {ticket} đến quầy số {counter}",
    ("en", False): "Ticket {ticket}, please go to counter {counter}",
    ("en", True): "Reminder, ticket {ticket}, please go to counter {counter}",
}
#: A visitor who stepped away (a photocopy, a fee) is called back to a counter.
RETURN_TEMPLATES = {
    "vi": "Mời công dân có số {ticket} quay lại quầy số {counter}",
    "en": "Ticket {ticket}, please come back to counter {counter}",
}


def _template(lang: Lang, recall: bool, returning: bool) -> str:
    return RETURN_TEMPLATES[lang] if returning else TEMPLATES[lang, recall]

TICKET_PATTERN = re.compile(r"([A-ZĐ]{0,3})(\d{1,6})")


class Lang(StrEnum):
    VI = "vi"
    EN = "en"


class Reading(StrEnum):
    """How the digits of a ticket number are read out."""

    DIGITS = "digits"  # A023 -> "A, không, hai, ba"
    NUMBER = "number"  # A023 -> "A, hai mươi ba"


class Variant(StrEnum):
    """The regional words for numbers (only ``number`` reading and counters use them)."""

    NORTH = "north"  # 101 -> "một trăm linh một", 1000 -> "một nghìn"
    SOUTH = "south"  # 101 -> "một trăm lẻ một", 1000 -> "một ngàn"


@dataclass(frozen=True)
class Wording:
    """The words a variant uses: a zero ten before a unit, and the scales of thousands."""

    zero_tens: str
    scales: tuple[str, ...]


WORDINGS = {
    Variant.NORTH: Wording("linh", SCALES_VI),
    Variant.SOUTH: Wording("lẻ", ("", "ngàn", "triệu", "tỷ")),
}


def read_number_variant(n: int, variant: Variant | str = Variant.NORTH) -> str:
    """:func:`read_number_vi` with the words of ``variant``."""
    wording = WORDINGS[Variant(variant)]
    return read_number_vi(n, zero_tens=wording.zero_tens, scales=wording.scales)


def read_number_vi(
    n: int, *, zero_tens: str = "linh", five: str = "lăm", scales: Sequence[str] = SCALES_VI
) -> str:
    """Read ``0 <= n < 10**12`` as Vietnamese words.

    The rules: ``mười`` for ten but ``mươi`` for the other tens; after ``mươi`` one
    is ``mốt`` and four is ``tư``; five after a ten is ``lăm`` (``five="nhăm"`` for
    the northern colloquial form after ``mươi``); a zero ten before a unit is
    ``linh`` (``zero_tens="lẻ"`` in the south); inner groups read their hundreds
    (``một nghìn không trăm linh năm``); ``scales`` name the thousands (``ngàn`` in the
    south).
    """
    if not 0 <= n < 10**12:
        raise ValueError(f"{n} is outside 0..10**12-1")
    if n == 0:
        return DIGITS_VI[0]
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for scale in reversed(range(len(groups))):
        group = groups[scale]
        if group:
            words += _read_group_vi(group, bool(words), zero_tens, five)
            if scales[scale]:
                words.append(scales[scale])
    return " ".join(words)


def _read_group_vi(group: int, inner: bool, zero_tens: str, five: str) -> list[str]:
    hundreds, rest = divmod(group, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or inner:
        words += [DIGITS_VI[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += [zero_tens, DIGITS_VI[units]] if words else [DIGITS_VI[units]]
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS_VI[units])
    else:
        words += [DIGITS_VI[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: five}.get(units, DIGITS_VI[units]))
    return words


def read_number_en(n: int) -> str:
    """Read ``0 <= n < 10**6`` as English words (``twenty-three``)."""
    if not 0 <= n < 10**6:
        raise ValueError(f"{n} is outside 0..999999")
    if n < 20:
        return ONES_EN[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return TENS_EN[tens] + (f"-{ONES_EN[units]}" if units else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{ONES_EN[hundreds]} hundred" + (f" {read_number_en(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{read_number_en(thousands)} thousand" + (f" {read_number_en(rest)}" if rest else "")


def parse_ticket(number: str) -> tuple[str, str]:
    """Split ``A023`` into its prefix letters and digits; ``ValueError`` if it is not a ticket."""
    match = TICKET_PATTERN.fullmatch(unicodedata.normalize("NFC", number.strip().upper()))
    if match is None:
        raise ValueError(f"not a ticket number: {number!r}")
    return match.group(1), match.group(2)


def read_ticket(
    number: str,
    lang: Lang | str = Lang.VI,
    mode: Reading | str = Reading.DIGITS,
    variant: Variant | str = Variant.NORTH,
) -> str:
    """Spell a ticket number: ``A, không, hai, ba`` / ``A, zero, two, three``."""
    lang, mode = Lang(lang), Reading(mode)
    letters, digits = parse_ticket(number)
    parts = [LETTERS_VI[c] if lang is Lang.VI else c for c in letters]
    if mode is Reading.DIGITS:
        parts += [(DIGITS_VI if lang is Lang.VI else ONES_EN)[int(d)] for d in digits]
    else:
        parts.append(
            read_number_variant(int(digits), variant)
            if lang is Lang.VI
            else read_number_en(int(digits))
        )
    return ", ".join(parts)


def announcement_text(
    number: str,
    counter: int,
    lang: Lang | str = Lang.VI,
    *,
    recall: bool = False,
    returning: bool = False,
) -> str:
    """The written announcement: ``Mời công dân có số A023 đến quầy số 5``."""
    letters, digits = parse_ticket(number)
    template = _template(Lang(lang), recall, returning)
    return template.format(ticket=letters + digits, counter=counter)


def spoken_text(
    number: str,
    counter: int,
    lang: Lang | str = Lang.VI,
    mode: Reading | str = Reading.DIGITS,
    *,
    variant: Variant | str = Variant.NORTH,
    recall: bool = False,
    returning: bool = False,
) -> str:
    """The announcement with every letter and number in words, ready to synthesise."""
    lang = Lang(lang)
    counter_words = (
        read_number_variant(counter, variant) if lang is Lang.VI else read_number_en(counter)
    )
    ticket = read_ticket(number, lang, mode, variant) + ("," if lang is Lang.VI else "")  # pause
    return _template(lang, recall, returning).format(ticket=ticket, counter=counter_words)
