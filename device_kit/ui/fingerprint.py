"""The server CA's fingerprint on a pairing screen: the first sixteen hex digits big,
the rest small, in groups of four, with what the technician must do with it — compare
it with the fleet page, or confirm it (button or Enter) when the device fetched it
itself — and, in red, why the server is refused when it is. Drawn the same on the hall
board, the rating terminal and the kiosk; each screen gives its colours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.core.window import Window
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from device_kit.pairing_code import (
    COMPARE_EN,
    COMPARE_VI,
    CONFIRM_BUTTON,
    CONFIRM_EN,
    CONFIRM_VI,
    FINGERPRINT_LABEL,
    fingerprint_groups,
)
from device_kit.ui.kivy_setup import load_kv_once

KV_FILE = Path(__file__).with_suffix(".kv")
ENTER_KEYS = (13, 271)  # Enter, keypad Enter


def load_kv() -> None:
    load_kv_once(KV_FILE)


class FingerprintPanel(BoxLayout):
    fingerprint = StringProperty("")
    head = StringProperty("")
    tail = StringProperty("")
    #: The device fetched this CA itself and waits for the technician's yes.
    confirm = BooleanProperty(False)
    problem = StringProperty("")
    label = StringProperty(FINGERPRINT_LABEL)
    button_text = StringProperty(CONFIRM_BUTTON)
    hint_vi = StringProperty(COMPARE_VI)
    hint_en = StringProperty(COMPARE_EN)
    ink = ColorProperty((1, 1, 1, 1))
    muted = ColorProperty((0.75, 0.8, 0.9, 1))
    accent = ColorProperty((1, 0.76, 0.03, 1))
    alarm = ColorProperty((1, 0.45, 0.4, 1))

    def __init__(self, **kwargs: Any) -> None:
        self.register_event_type("on_confirmed")
        super().__init__(**kwargs)
        Window.bind(on_key_down=self._key_down)

    def on_confirmed(self) -> None:
        """Dispatched when the technician confirms; the pairing screen passes it on."""

    def on_fingerprint(self, _panel: FingerprintPanel, fingerprint: str) -> None:
        self.head, self.tail = fingerprint_groups(fingerprint)

    def on_confirm(self, _panel: FingerprintPanel, confirm: bool) -> None:
        self.hint_vi, self.hint_en = (CONFIRM_VI, CONFIRM_EN) if confirm else (
            COMPARE_VI, COMPARE_EN
        )

    def confirmed(self) -> None:
        """The button or the key: only while a fingerprint waits for it."""
        if self.confirm and self.fingerprint:
            self.dispatch("on_confirmed")

    def _key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        if key in ENTER_KEYS and self.confirm and self.get_root_window() is not None:
            self.confirmed()
            return True
        return False
