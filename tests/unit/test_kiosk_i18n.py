"""The kiosk's message catalogues: same keys in both languages, NFC text, placeholders."""

from __future__ import annotations

import json
import string
import unicodedata
from pathlib import Path

from kiosk_app.i18n import Catalog, load_catalogue


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    vi, en = load_catalogue("vi"), load_catalogue("en")
    assert vi.keys() == en.keys()
    for key in vi:
        assert placeholders(vi[key]) == placeholders(en[key]), key


LOCALES = Path(__file__).resolve().parents[2] / "kiosk_app" / "locales"


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def test_the_catalogue_files_are_stored_nfc() -> None:
    """On disk, not after the loader normalised them: a search of the files for a
    word finds it, and a text pasted decomposed from elsewhere is caught here."""
    for path in sorted(LOCALES.glob("*.json")):
        texts = json.loads(path.read_text("utf-8"))
        decomposed = [key for key, text in texts.items() if not is_nfc(text)]
        assert decomposed == [], path.name


def test_vietnamese_texts_keep_their_diacritics() -> None:
    vi = load_catalogue("vi")
    assert vi["home.take_ticket"] == "Lấy số thứ tự"
    assert vi["priority.title"] == "Bạn thuộc diện ưu tiên?"


def test_catalog_formats_and_picks_the_visitor_language() -> None:
    catalog = Catalog("vi")
    assert catalog.t("ticket.take", number="A023") == "Mời nhận phiếu A023"
    assert catalog.pick("Hộ tịch", "Civil status") == "Hộ tịch"
    catalog.lang = "en"
    assert catalog.t("ticket.ahead", ahead=5) == "5 people ahead of you"
    assert catalog.pick("Hộ tịch", "") == "Hộ tịch"
    assert catalog.t("no.such.key") == "no.such.key"
