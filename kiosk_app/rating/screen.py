"""The rating terminal's screen: idle, the question with three faces, the reasons,
thanks, or the server's message. It draws a :class:`~kiosk_app.rating.flow.RatingFlow`
and reports touches; it decides nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.togglebutton import ToggleButton

from device_kit.contract.rating_levels import QuickLevel, Reason
from device_kit.ui.kivy_setup import load_kv_once
from kiosk_app.rating.flow import QUESTION_EN, QUESTION_VI, RatingFlow

KV_FILE = Path(__file__).with_name("rating.kv")

#: Face colour and mouth (2 smile, 1 flat, 0 frown) for each level.
FACES = {
    QuickLevel.VERY_SATISFIED: ((0.13, 0.63, 0.27, 1), 2),
    QuickLevel.SATISFIED: ((0.16, 0.5, 0.85, 1), 1),
    QuickLevel.NOT_SATISFIED: ((0.85, 0.2, 0.16, 1), 0),
    QuickLevel.VERY_UNSATISFIED: ((0.55, 0.1, 0.1, 1), 0),
}


def load_kv() -> None:
    load_kv_once(KV_FILE)


class FaceButton(ButtonBehavior, BoxLayout):
    level = ObjectProperty(None)
    colour = ListProperty([1, 1, 1, 1])
    mouth = NumericProperty(2)
    label_vi = StringProperty("")
    label_en = StringProperty("")


class ReasonButton(ToggleButton):
    code = StringProperty("")


class RatingScreen(BoxLayout):
    step = StringProperty("idle")
    counter_title = StringProperty("")
    officer = StringProperty("")
    ticket_number = StringProperty("")
    seconds_left = NumericProperty(0)
    message_vi = StringProperty("")
    message_en = StringProperty("")
    offline = BooleanProperty(False)
    #: Why the server is refused, in both languages ("" when it is not).
    untrusted = StringProperty("")
    question_vi = StringProperty(QUESTION_VI)
    question_en = StringProperty(QUESTION_EN)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_face: Callable[[QuickLevel], None] = lambda level: None
        self.on_reason: Callable[[str], None] = lambda code: None
        self.on_confirm: Callable[[], None] = lambda: None

    def on_step(self, _screen: RatingScreen, step: str) -> None:
        self.ids.pages.current = "thanks" if step == "sending" else step

    def build_choices(self, levels: tuple[QuickLevel, ...]) -> None:
        faces = self.ids.faces
        faces.clear_widgets()
        for level in levels:
            colour, mouth = FACES[level]
            face = FaceButton(
                level=level,
                colour=colour,
                mouth=mouth,
                label_vi=level.label_vi,
                label_en=level.label_en,
            )
            face.bind(on_release=lambda button: self.on_face(button.level))
            faces.add_widget(face)
        reasons = self.ids.reasons
        reasons.clear_widgets()
        for reason in Reason:
            button = ReasonButton(code=reason.code, text=reason.label_vi)
            button.bind(on_release=lambda b: self.on_reason(b.code))
            reasons.add_widget(button)

    def show(self, flow: RatingFlow, now: float, desk: dict[str, Any]) -> None:
        counter = desk.get("counter") or flow.counter
        self.counter_title = desk.get("counter_name") or f"Quầy {counter}"
        self.officer = desk.get("officer") or ""
        self.step = str(flow.step)
        self.ticket_number = flow.ticket_number
        self.seconds_left = flow.seconds_left(now)
        self.message_vi, self.message_en = flow.message_vi, flow.message_en
        for button in self.ids.reasons.children:
            button.state = "down" if button.code in flow.reasons else "normal"

    def face(self, level: QuickLevel) -> FaceButton:
        return next(f for f in self.ids.faces.children if f.level is level)
