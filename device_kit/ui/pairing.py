"""The hall TV before it is paired: the six-digit code, big, with what to do with it
in Vietnamese and English. It draws a code; the app does the pairing."""

from __future__ import annotations

from pathlib import Path

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from device_kit.pairing_code import (
    PAIRING_HINT_EN,
    PAIRING_HINT_VI,
    PAIRING_TITLE_EN,
    PAIRING_TITLE_VI,
    grouped,
)
from device_kit.ui.kivy_setup import load_kv_once

KV_FILE = Path(__file__).with_suffix(".kv")
WAITING_VI = "Đang xin mã ghép nối từ máy chủ…"
WAITING_EN = "Asking the server for a pairing code…"


def load_kv() -> None:
    load_kv_once(KV_FILE)


class PairingScreen(BoxLayout):
    title_vi = StringProperty(PAIRING_TITLE_VI)
    title_en = StringProperty(PAIRING_TITLE_EN)
    hint_vi = StringProperty(WAITING_VI)
    hint_en = StringProperty(WAITING_EN)
    code = StringProperty("")
    shown = StringProperty("— — —")
    server = StringProperty("")

    def on_code(self, _screen: PairingScreen, code: str) -> None:
        """A (fresh) code from the server: show it and say what to do with it."""
        self.shown = grouped(code)
        self.hint_vi, self.hint_en = PAIRING_HINT_VI, PAIRING_HINT_EN
