"""Vietnamese text helpers shared by queueing, dossiers and procedures (pure).

Text is stored and compared in Unicode NFC. Search is accent-insensitive:
``fold("Nguyễn Văn A") == fold("nguyen van a")`` and ``đ`` matches ``d``,
because visitors type on keyboards without a Vietnamese input method.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
# A word: letters and digits, dots kept inside it so a code like ``1.009994`` stays whole.
_WORD = re.compile(r"\w+(?:\.\w+)*")
MASK = "*"


def nfc(text: str) -> str:
    """The NFC form, the one form the database holds."""
    return unicodedata.normalize("NFC", text)


def strip_accents(text: str) -> str:
    """Remove Vietnamese tone and vowel marks, keeping case: ``Đà Nẵng`` -> ``Da Nang``.

    Used where diacritics cannot travel (one GSM-7 SMS), not only for search.
    Precomposed Latin letters go through a table (search folds every candidate
    name, thousands a query); anything else left takes the Unicode decomposition.
    """
    table = _latin_table()
    stripped = text.translate(table)
    return stripped if stripped.isascii() else _decompose_strip(stripped)


def _decompose_strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


@functools.cache
def _latin_table() -> dict[int, str]:
    """Each accented letter of Latin-1, Latin Extended and Latin Extended Additional
    (where every Vietnamese letter lives) with its bare form."""
    codes = itertools.chain(range(0xC0, 0x250), range(0x1E00, 0x1F00))
    pairs = ((code, _decompose_strip(chr(code))) for code in codes)
    return {code: bare for code, bare in pairs if bare != chr(code)}


def fold(text: str) -> str:
    """Search key: no accents, case-folded, whitespace collapsed to single spaces."""
    return " ".join(strip_accents(text).casefold().split())


def fold_words(text: str) -> list[str]:
    """The folded words of ``text``, punctuation dropped: ``Đăng ký, cấp (lần đầu)``
    gives ``["dang", "ky", "cap", "lan", "dau"]``."""
    return _WORD.findall(fold(text))


def folded_contains(haystack: str, needle: str) -> bool:
    """True when ``needle`` occurs in ``haystack`` ignoring accents, case and spacing."""
    return fold(needle) in fold(haystack)


def mask_name(name: str) -> str:
    """Public form of a person's name: ``Nguyễn Văn An`` -> ``Nguyễn V** A*``.

    The family name (first word) stays, every other word keeps its first letter and
    each remaining letter becomes ``*``, so a lookup shows whose dossier it is to its
    owner without naming them to anyone else. A one-word name is masked entirely
    but for its first letter: alone, it would name the person.
    """
    words = nfc(name).split()
    if len(words) == 1:
        return _mask_word(words[0])
    return " ".join(words[:1] + [_mask_word(word) for word in words[1:]])


def _mask_word(word: str) -> str:
    return word[0] + MASK * (len(word) - 1)
