"""Dossier codes (Circular 01/2018/TT-VPCP, art. 19): ``<agency>-<YYMMDD>-<NNNN>``.

The agency code is dot-separated groups of digits and capital letters (at most 35
characters) with the province-level group (a letter A–Y and two digits, ``H56``)
at one end: last in the standard order (``000.00.06.H56``), first in the reversed
order some systems print (``H56.14``). Both are kept as printed, because that is
the key the upstream system knows the dossier by.

People and scanners send messy text, so :func:`normalise` forgives what a human
would: case, spaces or underscores or dash look-alikes for the dashes, spaces
instead of the agency's dots (``000 00 06 H56 231027 0361``), spaces around
separators, zero-width characters, full-width digits, a trailing CR/LF.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from device_kit.contract.errors import (
    DossierCodeBadAgency,
    DossierCodeBadDate,
    EmptyDossierCode,
    InvalidDossierCode,
)

AGENCY_MAX_LEN = 35
# No real agency group is longer; the bound also keeps ID-number-like digit runs
# (9 or 12 digits) from ever being taken for part of a code.
GROUP_MAX_LEN = 8
CENTURY = 2000

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_DASH_LIKE = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63]")
_SPACE_AROUND_SEP = re.compile(r"\s*([.\-])\s*")
_SPACES = re.compile(r"\s+")
_REPEATED_DASH = re.compile(r"-{2,}")
# Date and sequence at the end: whatever spaces stand before them split the agency groups.
_TAIL = re.compile(r"(.+?)[\s-]+([0-9]{6})[\s-]+([0-9]{4})")
_PROVINCE = re.compile(r"[A-Y][0-9]{2}")
_GROUP = rf"[0-9A-Z]{{1,{GROUP_MAX_LEN}}}"
_GROUP_RE = re.compile(_GROUP)
_SHAPE = re.compile(rf"({_GROUP}(?:\.{_GROUP})*)-([0-9]{{6}})-([0-9]{{4}})")
_LOOSE_SHAPE = re.compile(r"(.+)-([0-9]{6})-([0-9]{4})")
_EMBEDDED = re.compile(
    rf"(?<![0-9A-Z.])({_GROUP}(?:\s*\.\s*{_GROUP})*)\s*[-\s]\s*([0-9]{{6}})\s*[-\s]\s*"
    rf"([0-9]{{4}})(?![0-9])"
)


def _clean(text: str) -> str:
    """Width, invisible characters, case and dash look-alikes; spacing untouched."""
    if not text.isascii():
        text = _DASH_LIKE.sub("-", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))
    return text.upper().replace("_", "-")


def normalise(text: str) -> str:
    """Best-effort canonical spelling of typed or scanned text (not validated)."""
    text = _clean(text).strip()
    if _SHAPE.fullmatch(text):
        return text
    text = _SPACE_AROUND_SEP.sub(r"\1", text)
    tail = _TAIL.fullmatch(text)
    if tail is not None:
        agency, yymmdd, sequence = tail.groups()
        text = f"{_SPACES.sub('.', agency)}-{yymmdd}-{sequence}"
    text = _REPEATED_DASH.sub("-", _SPACES.sub("-", text))
    return text.strip("-.")


@dataclass(frozen=True, order=True)
class DossierCode:
    """A validated dossier code; ``str()`` gives the canonical form."""

    agency: str
    received: date
    sequence: int

    def __post_init__(self) -> None:
        _check_agency(self.agency)
        if not CENTURY <= self.received.year < CENTURY + 100:
            raise DossierCodeBadDate()
        if not 0 <= self.sequence <= 9999:
            raise InvalidDossierCode()

    def __str__(self) -> str:
        return f"{self.agency}-{self.received:%y%m%d}-{self.sequence:04d}"

    @property
    def agency_groups(self) -> tuple[str, ...]:
        return tuple(self.agency.split("."))

    @property
    def reversed_order(self) -> bool:
        """True for the ``H56.14`` style, with the province group first."""
        groups = self.agency_groups
        return _PROVINCE.fullmatch(groups[-1]) is None

    @property
    def province(self) -> str:
        groups = self.agency_groups
        return groups[0] if self.reversed_order else groups[-1]

    @classmethod
    def parse(cls, text: str) -> DossierCode:
        """Parse one code from messy input, or raise an :class:`InvalidDossierCode`."""
        cleaned = normalise(text)
        if not cleaned:
            raise EmptyDossierCode()
        shape = _SHAPE.fullmatch(cleaned)
        if shape is None:
            loose = _LOOSE_SHAPE.fullmatch(cleaned)
            raise DossierCodeBadAgency() if loose else InvalidDossierCode()
        agency, yymmdd, sequence = shape.groups()
        return cls(agency, _parse_date(yymmdd), int(sequence))


def parse_code(text: str) -> DossierCode:
    """Shorthand for :meth:`DossierCode.parse`."""
    return DossierCode.parse(text)


def find_codes(text: str) -> Iterator[DossierCode]:
    """Every valid code embedded in longer text (an SMS, a QR payload), in order."""
    for match in _EMBEDDED.finditer(_clean(text)):
        try:
            yield DossierCode.parse("-".join(match.groups()))
        except InvalidDossierCode:
            continue


def _parse_date(yymmdd: str) -> date:
    try:
        return date(CENTURY + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        raise DossierCodeBadDate() from None


def _check_agency(agency: str) -> None:
    groups = agency.split(".")
    if (
        len(agency) > AGENCY_MAX_LEN
        or not all(_GROUP_RE.fullmatch(group) for group in groups)
        or not (_PROVINCE.fullmatch(groups[0]) or _PROVINCE.fullmatch(groups[-1]))
    ):
        raise DossierCodeBadAgency()
