"""The rating terminal before it is paired: the hall board's pairing screen — code and
server CA fingerprint — drawn at the terminal's sizes and telling the technician to
pick the counter it rates."""

from __future__ import annotations

from pathlib import Path

from device_kit.ui import fingerprint
from device_kit.ui.kivy_setup import load_kv_once
from device_kit.ui.pairing import PairingScreen

KV_FILE = Path(__file__).with_suffix(".kv")
HINT_VI = "Kỹ thuật viên nhập mã này trên trang Thiết bị và chọn quầy của máy đánh giá."
HINT_EN = "A technician enters this code on the Devices page and picks this terminal's counter."


def load_kv() -> None:
    fingerprint.load_kv()
    load_kv_once(KV_FILE)


class RatingPairingScreen(PairingScreen):
    """The code comes from the app (``code``); a rating terminal also needs its counter."""

    def on_code(self, screen: PairingScreen, code: str) -> None:
        super().on_code(screen, code)
        self.hint_vi, self.hint_en = HINT_VI, HINT_EN
