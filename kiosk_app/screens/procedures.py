"""Procedures: browse by field, search by name without accents, open one procedure."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk_app.controller import Refusal
from kiosk_app.screens.keys import SPACE, fill_keys

KEY_ROWS = ("QWERTYUIOP", "ASDFGHJKL" + SPACE, "ZXCVBNM")
SEARCH_DELAY_S = 0.4  # search once the visitor pauses typing
MAX_QUERY = 40


class ProceduresScreen(Screen):
    query = StringProperty("")
    field = StringProperty("")
    fields = ListProperty([])
    message = StringProperty("")
    shown_query = StringProperty("")  # the search whose results are on screen

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._search = Clock.create_trigger(lambda _dt: self.search(), SEARCH_DELAY_S)
        Clock.schedule_once(lambda _dt: fill_keys(self.ids.keypad, KEY_ROWS, self.type, self.back))

    def prepare(self) -> None:
        self.query, self.field, self.message = "", "", ""
        self.search()

    def type(self, char: str) -> None:
        if len(self.query) < MAX_QUERY:
            self.query += char.lower()
            self._search()

    def back(self) -> None:
        self.query = self.query[:-1]
        self._search()

    def choose_field(self, field: str) -> None:
        self.field = "" if field == self.field else field
        self.search()

    def search(self) -> None:
        app = App.get_running_app()
        query, field = self.query.strip(), self.field
        app.work(
            lambda: (query, field, app.controller.search_procedures(query, field)),
            self._show,
            self._refused,
        )

    def _show(self, answer: tuple[str, str, list[dict[str, Any]]]) -> None:
        query, field, found = answer
        if (query, field) != (self.query.strip(), self.field):
            return  # an earlier search answered late: a newer one is on its way
        app = App.get_running_app()
        self.shown_query = query
        if not query and not field:
            self.fields = sorted({p["field"] for p in found if p.get("field")})
            self._show_fields()
        results = self.ids.results
        results.clear_widgets()
        for procedure in found:
            button = Factory.ProcedureButton(text=procedure["name"])
            button.code = procedure["code"]
            button.bind(on_release=lambda b: app.go("procedure", code=b.code))
            results.add_widget(button)
        self.message = "" if found else app.t("procedures.none")

    def _show_fields(self) -> None:
        chips = self.ids.fields
        chips.clear_widgets()
        for field in self.fields:
            chip = Factory.FieldButton(text=field)
            chip.bind(on_release=lambda b: self.choose_field(b.text))
            chips.add_widget(chip)

    def _refused(self, refusal: Refusal) -> None:
        self.ids.results.clear_widgets()
        self.message = App.get_running_app().refusal_text(refusal)
