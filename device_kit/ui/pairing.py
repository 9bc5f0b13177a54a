"""The hall TV before it is paired: the six-digit code, big, with what to do with it
in Vietnamese and English, and the server CA's fingerprint the device will pin
(:mod:`device_kit.ui.fingerprint`). It draws; the app does the pairing
(:mod:`device_kit.first_pairing`) and reaches it through :class:`ScreenView`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from device_kit.errors import ServerUntrusted, untrusted_text
from device_kit.pairing_code import (
    PAIRING_HINT_EN,
    PAIRING_HINT_VI,
    PAIRING_TITLE_EN,
    PAIRING_TITLE_VI,
    big_code,
    console_fingerprint,
    grouped,
)
from device_kit.ui import fingerprint
from device_kit.ui.kivy_setup import load_kv_once

KV_FILE = Path(__file__).with_suffix(".kv")
WAITING_VI = "Đang xin mã ghép nối từ máy chủ…"
WAITING_EN = "Asking the server for a pairing code…"


def load_kv() -> None:
    fingerprint.load_kv()
    load_kv_once(KV_FILE)


class PairingScreen(BoxLayout):
    title_vi = StringProperty(PAIRING_TITLE_VI)
    title_en = StringProperty(PAIRING_TITLE_EN)
    hint_vi = StringProperty(WAITING_VI)
    hint_en = StringProperty(WAITING_EN)
    code = StringProperty("")
    shown = StringProperty("— — —")
    server = StringProperty("")
    fingerprint = StringProperty("")
    confirm = BooleanProperty(False)
    problem = StringProperty("")
    #: What the technician's confirmation of the fingerprint calls (the pairing's).
    when_confirmed: Callable[[], None] = staticmethod(lambda: None)

    def fingerprint_confirmed(self) -> None:
        self.confirm = False
        self.when_confirmed()

    def on_code(self, _screen: PairingScreen, code: str) -> None:
        """A (fresh) code from the server: show it and say what to do with it."""
        self.shown = grouped(code)
        self.hint_vi, self.hint_en = PAIRING_HINT_VI, PAIRING_HINT_EN


class ScreenView:
    """A :class:`device_kit.first_pairing.PairingView` drawing on a Kivy pairing screen
    (properties ``fingerprint``, ``confirm``, ``problem`` and the code's): each call
    comes on the pairing thread and is applied on Kivy's. The code and fingerprint are
    also printed, for a technician at the box's console."""

    def __init__(self, screen: Callable[[], Any], code_property: str = "code") -> None:
        self.screen = screen
        self.code_property = code_property

    def show_fingerprint(self, fingerprint: str, confirm: bool) -> None:
        print(console_fingerprint(fingerprint, confirm), flush=True)
        self._set(fingerprint=fingerprint, confirm=confirm)

    def show_code(self, code: str) -> None:
        print(big_code(code), flush=True)
        self._set(**{self.code_property: code})

    def show_problem(self, problem: ServerUntrusted | None) -> None:
        self._set(problem=untrusted_text(problem))

    def _set(self, **values: Any) -> None:
        def apply(_dt: float) -> None:
            screen = self.screen()
            for name, value in values.items():
                setattr(screen, name, value)

        Clock.schedule_once(apply)
