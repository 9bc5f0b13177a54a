"""The detailed rating of a dossier (Circular 01/2018, art. 13): nine indicators, three
big choices each (2, 1 or 0 points); sending is possible once all nine are chosen.

The indicators and their wording, names and answers in both languages, come from
the server (``GET /ratings/options``); a dossier rated already never gets here.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.togglebutton import ToggleButton

from kiosk_app.controller import Refusal
from kiosk_app.dossier_view import DossierView

SCORES = (2, 1, 0)  # the order of the server's ``levels_vi`` and ``levels_en``


class ChoiceButton(ToggleButton):
    """One of an indicator's three answers; the group keeps one chosen per indicator."""

    indicator = ObjectProperty(None)
    score = NumericProperty(0)

    def label(self, _lang: str, *_deps: Any) -> str:
        app, indicator = App.get_running_app(), self.indicator
        if not indicator:
            return ""
        at = SCORES.index(self.score)
        answer = app.pick(indicator["levels_vi"][at], indicator["levels_en"][at])
        return f"{answer}\n({app.t('rate.points', points=self.score)})"


class IndicatorRow(BoxLayout):
    """An indicator's number and name, and its three answers in one row."""

    indicator = ObjectProperty(None)

    def __init__(
        self, indicator: dict[str, Any], on_choose: Any, group: str, **kwargs: Any
    ) -> None:
        super().__init__(indicator=indicator, **kwargs)
        for score in SCORES:
            button = ChoiceButton(indicator=indicator, score=score, group=group)
            button.bind(state=lambda b, state: on_choose(b.indicator["number"], b.score, state))
            button.bind(texture_size=self._fit)
            self.ids.choices.add_widget(button)

    def title(self, _lang: str, *_deps: Any) -> str:
        app, indicator = App.get_running_app(), self.indicator
        if not indicator:
            return ""
        return f"{indicator['number']}. {app.pick(indicator['name_vi'], indicator['name_en'])}"

    def choice(self, score: int) -> ChoiceButton:
        return next(b for b in self.ids.choices.children if b.score == score)

    def _fit(self, *_args: Any) -> None:
        """All three answers as tall as the longest, and never under the touch minimum."""
        app, choices = App.get_running_app(), self.ids.choices
        tallest = max(b.texture_size[1] for b in choices.children)
        choices.row_default_height = max(app.u * 110, tallest + app.u * 30)


class RatingScreen(Screen):
    dossier = ObjectProperty(None, allownone=True)
    indicators = ListProperty([])
    chosen = DictProperty({})
    message = StringProperty("")
    busy = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._round = 0

    def prepare(self, dossier: DossierView, indicators: list[dict[str, Any]]) -> None:
        self.dossier, self.indicators, self.message, self.busy = dossier, indicators, "", False
        self.chosen = {}
        self._round += 1  # toggle groups are global in Kivy: fresh names for fresh buttons
        rows = self.ids.rows
        rows.clear_widgets()
        for indicator in indicators:
            group = f"rating-{self._round}-{indicator['number']}"
            rows.add_widget(IndicatorRow(indicator, self._choose, group))
        self.ids.scroll.scroll_y = 1

    def row(self, number: int) -> IndicatorRow:
        return next(r for r in self.ids.rows.children if r.indicator["number"] == number)

    def _choose(self, number: int, score: int, state: str) -> None:
        if state == "down":
            self.chosen[number] = score
        elif self.chosen.get(number) == score:
            del self.chosen[number]
        self.message = ""

    @property
    def complete(self) -> bool:
        return bool(self.indicators) and len(self.chosen) == len(self.indicators)

    def submit(self) -> None:
        if self.busy or not self.complete:
            return
        app, code, scores = App.get_running_app(), self.dossier.code, dict(self.chosen)
        self.busy, self.message = True, app.t("rate.sending")
        app.work(lambda: app.controller.rate_dossier(code, scores), self._rated, self._refused)

    def _rated(self, stored: dict[str, Any]) -> None:
        self.busy, self.message = False, ""
        App.get_running_app().go("thanks", stored=stored)

    def _refused(self, refusal: Refusal) -> None:
        self.busy = False
        self.message = App.get_running_app().refusal_text(refusal)
