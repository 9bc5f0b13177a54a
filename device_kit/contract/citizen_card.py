"""The QR text of a chip-based citizen ID card (CCCD, and the 2024 "thẻ căn cước").

The card's QR holds fields separated by ``|``: the 12-digit ID number, the old
9-digit ID (may be empty), the full name, the date of birth ``ddmmyyyy``, the
sex, the address and the date of issue ``ddmmyyyy``; newer cards add fields
after these. The kiosk needs two of them: the ID number (sent to the server to
find the visitor's dossiers) and the date of birth (the age, worked out on the
kiosk for the elderly priority). Nothing else is kept, not even in memory past
the parse (Decree 13/2023/NĐ-CP: collect only what the purpose needs).

The server shares :func:`normalize_id_number`, so both sides agree on what an
ID number is before it is hashed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

ID_DIGITS = 12
OLD_ID_DIGITS = 9
#: Elderly priority from 60 years of age (Law on the Elderly 2009, art. 2).
ELDERLY_AGE = 60
_ID = re.compile(rf"^[0-9]{{{ID_DIGITS}}}$")
_OLD_ID = re.compile(rf"^(?:[0-9]{{{OLD_ID_DIGITS}}})?$")
_DATE = re.compile(r"^[0-9]{8}$")
_SEPARATORS = str.maketrans("", "", " .-")
#: ID, old ID, name, birth, sex, address, issue: the fields every card has.
FIELDS = 7
#: A real card's QR is a few hundred characters; anything far longer is not one.
MAX_LEN = 1000


@dataclass(frozen=True)
class CitizenCard:
    """What the kiosk takes from the card; ``repr`` shows neither value, so a log
    line or a traceback cannot carry them."""

    id_number: str = field(repr=False)
    birth_date: date = field(repr=False)

    def age_on(self, today: date) -> int:
        return age_on(self.birth_date, today)

    def elderly_on(self, today: date) -> bool:
        return self.age_on(today) >= ELDERLY_AGE


def normalize_id_number(text: str) -> str | None:
    """The 12 ASCII digits of an ID number typed or sent with spaces, dots or
    dashes between groups; None when it is not one."""
    digits = text.strip().translate(_SEPARATORS)
    return digits if _ID.match(digits) else None


def age_on(birth: date, today: date) -> int:
    """Whole years from ``birth`` to ``today``; the birthday itself counts (born
    29 February: the year turns on 1 March in a common year)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def parse_citizen_card(text: str) -> CitizenCard | None:
    """The card in a scanned text, or None when the text is not a card's QR."""
    if len(text) > MAX_LEN:
        return None
    parts = [part.strip() for part in text.strip().split("|")]
    if len(parts) < FIELDS:
        return None
    id_number, old_id, name, birth, _sex, _address, issued = parts[:FIELDS]
    if not (_ID.match(id_number) and _OLD_ID.match(old_id) and name):
        return None
    birth_date, issue_date = _date(birth), _date(issued)
    if birth_date is None or issue_date is None or birth_date > issue_date:
        return None
    return CitizenCard(id_number, birth_date)


def _date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        return None
