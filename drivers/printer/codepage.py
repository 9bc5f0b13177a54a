"""Vietnamese as printer text in the model's own code page, instead of a raster.

A raster line costs 48-72 bytes per dot row (a ticket: 22-32 KB, half a minute at
9600 baud); the same line as text costs one byte per letter. 15 of python-escpos's
bundled profiles declare a Vietnamese page (``codePages`` in ``capabilities.json``):

- **TCVN-3** (Epson pages 30 and 31, "TCVN-3-1" lower case and "TCVN-3-2" upper
  case): every Vietnamese letter is one byte and one whole glyph in the printer's
  font. A line mixing cases switches page with ``ESC t n`` between letters (three
  bytes a switch); ASCII is the same on both pages.
- **CP1258** (Epson page 52; page 27/94 on the POS-5890 / NT-5890K clones): only
  some letters are precomposed (``à á â ă ê ô ơ ư đ`` …); the others (``ạ ả ậ ế ữ`` …)
  are a base letter followed by a *combining* tone mark byte. A printer's font is a
  grid of character cells, and the profile does not say whether a model draws that
  mark over the previous cell or in a cell of its own (which reads "a ̣"); that is
  up to each model's firmware.

So a model with TCVN-3 prints TCVN-3, because it renders each glyph whole; CP1258
is used only where it is all the profile declares (the cheap 58 mm heads), and
there as precomposed letters wherever CP1258 has them, base + tone mark otherwise.
A clone that prints its declared page wrongly is set to ``text_mode="raster"``.

The emulator draws a combining mark over the cell before it (the text is read back
NFC-normalised), i.e. it shows what the job *means*; whether a given CP1258 clone
overstrikes is checked on the paper, once, by the technician's test print.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from escpos.capabilities import CAPABILITIES, get_profile

from device_kit.contract.device_wire import PRINTER_TEXT_MODES as TEXT_MODES
from device_kit.contract.device_wire import PrinterTextMode as TextMode

__all__ = ["TEXT_MODES", "CodePagePlan", "TextMode", "model_pages", "vietnamese_plan"]

ESC_T = b"\x1bt"
#: Vietnamese tone marks; the other marks (breve, circumflex, horn) stay in the base letter.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
#: python-escpos's TCVN-3-2 table spells Đ (U+0110) as its look-alike Ð (U+00D0).
_TCVN_LOOK_ALIKES = {"Ð": "Đ"}


@lru_cache(maxsize=64)
def page_table(encoding: str) -> str:
    """The 256 characters of a python-escpos encoding, byte for byte (undefined: NUL)."""
    data = CAPABILITIES["encodings"].get(encoding, {})
    if "data" in data:
        upper = "".join(data["data"])
    else:
        codec = data.get("python_encode", "cp437")
        upper = "".join(bytes([b]).decode(codec, errors="replace") for b in range(128, 256))
        upper = upper.replace("\ufffd", "\0")
    if encoding.startswith("TCVN"):
        for look_alike, meant in _TCVN_LOOK_ALIKES.items():
            upper = upper.replace(look_alike, meant)
    return "".join(chr(b) for b in range(128)) + upper


@lru_cache(maxsize=64)
def model_pages(model: str) -> dict[int, str]:
    """Each ``ESC t`` page number the model declares -> its 256-character table."""
    declared = get_profile(model).profile_data.get("codePages", {})
    return {int(number): page_table(name) for number, name in declared.items()}


@dataclass(frozen=True, slots=True)
class CodePagePlan:
    """How one printer model writes Vietnamese: its pages, in the order they are tried."""

    name: str
    #: (``ESC t`` number, character -> byte) per page.
    pages: tuple[tuple[int, dict[str, int]], ...]

    def encode(self, text: str) -> bytes | None:
        """``text`` as bytes with ``ESC t`` switches, or None when a character has no byte."""
        out = bytearray()
        current: int | None = None
        for char in self._spell(unicodedata.normalize("NFC", text)):
            if char.isascii():
                if not char.isprintable():
                    return None
                out.append(ord(char))
                continue
            found = self._find(char, current)
            if found is None:
                return None
            number, byte = found
            if number != current:
                out += ESC_T + bytes([number])
                current = number
            out.append(byte)
        return bytes(out)

    def can_encode(self, text: str) -> bool:
        return self.encode(text) is not None

    def _find(self, char: str, current: int | None) -> tuple[int, int] | None:
        ordered = sorted(self.pages, key=lambda page: page[0] != current)
        for number, table in ordered:
            if char in table:
                return number, table[char]
        return None

    def _spell(self, text: str) -> str:
        """Letters a page lacks as base letter + tone mark (CP1258's way)."""
        spelled = []
        for char in text:
            if char.isascii() or any(char in table for _, table in self.pages):
                spelled.append(char)
                continue
            decomposed = unicodedata.normalize("NFD", char)
            tones = "".join(mark for mark in decomposed if mark in TONE_MARKS)
            base = unicodedata.normalize(
                "NFC", "".join(mark for mark in decomposed if mark not in TONE_MARKS)
            )
            spelled.append(base + tones if tones else char)
        return "".join(spelled)


def _table(encoding: str) -> dict[str, int]:
    chars = page_table(encoding)
    return {char: byte for byte, char in enumerate(chars) if byte >= 128 and char != "\0"}


@lru_cache(maxsize=64)
def vietnamese_plan(model: str, mode: TextMode = "auto") -> CodePagePlan | None:
    """The model's Vietnamese page(s): TCVN-3 first, then CP1258; None for raster."""
    if mode not in TEXT_MODES:
        raise ValueError(f"text mode must be one of {TEXT_MODES}, not {mode!r}")
    if mode == "raster":
        return None
    declared = get_profile(model).profile_data.get("codePages", {})
    numbers: dict[str, int] = {}
    for number, name in sorted(declared.items(), key=lambda item: int(item[0])):
        numbers.setdefault(name, int(number))
    if "TCVN-3-1" in numbers and "TCVN-3-2" in numbers:
        pages = ("TCVN-3-1", "TCVN-3-2")
        return CodePagePlan("TCVN-3", tuple((numbers[p], _table(p)) for p in pages))
    if "CP1258" in numbers:
        return CodePagePlan("CP1258", ((numbers["CP1258"], _table("CP1258")),))
    if mode == "codepage":
        raise ValueError(f"printer model {model!r} declares no Vietnamese code page")
    return None
