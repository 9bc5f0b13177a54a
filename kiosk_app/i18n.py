"""Visitor-facing words from message catalogues (``locales/<lang>.json``), Vietnamese first.

A missing key in English falls back to the Vietnamese text, and a missing key in
Vietnamese shows the key itself, so a gap is visible in screenshots and tests
rather than crashing a kiosk in the hall.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any

LANGUAGES = ("vi", "en")


@functools.cache
def load_catalogue(lang: str) -> Mapping[str, str]:
    """Read once per process (the heartbeat and the slip printer ask for it again and
    again); read-only, since every caller shares it."""
    text = resources.files("kiosk_app").joinpath("locales", f"{lang}.json").read_text("utf-8")
    return MappingProxyType(
        {key: unicodedata.normalize("NFC", value) for key, value in json.loads(text).items()}
    )


class Catalog:
    """Both catalogues, and the language the visitor chose."""

    def __init__(self, lang: str = "vi") -> None:
        self._tables = {code: load_catalogue(code) for code in LANGUAGES}
        self.lang = lang

    def keys(self, lang: str) -> set[str]:
        return set(self._tables[lang])

    def t(self, key: str, **values: Any) -> str:
        text = self._tables[self.lang].get(key) or self._tables["vi"].get(key) or key
        return text.format(**values) if values else text

    def pick(self, vi: str | None, en: str | None) -> str:
        """The visitor's language from a pair the server sent (English may be empty)."""
        return (en or vi or "") if self.lang == "en" else (vi or en or "")
