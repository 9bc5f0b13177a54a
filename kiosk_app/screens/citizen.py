""""Hồ sơ của tôi": what a citizen ID card scanned at the kiosk gives the visitor.

The visitor's dossiers (masked, as the public lookup shows them), the elderly
priority when the card says 60 or more, and on screen what the kiosk read and
that it keeps nothing (Decree 13/2023/NĐ-CP). The screen holds a
:class:`CitizenVisit`, which has neither the ID number nor the birth date.
"""

from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk_app.controller import CitizenVisit

ELDERLY = "elderly"


class CitizenScreen(Screen):
    elderly = BooleanProperty(False)
    message = StringProperty("")

    def prepare(self, visit: CitizenVisit | None = None) -> None:
        """A new visit fills the list; none (back from a dossier) keeps what is shown."""
        if visit is None:
            return
        app = App.get_running_app()
        app.offered_priority = ""  # a new card: nothing carries over from the last one
        self.elderly = visit.elderly
        results = self.ids.dossiers
        results.clear_widgets()
        if visit.dossiers is None:
            self.message = app.refusal_text(visit.problem) if visit.problem else ""
            return
        for dossier in visit.dossiers:
            button = Factory.CitizenDossierButton()
            button.dossier = dossier
            button.bind(on_release=lambda b: app.go("dossier", dossier=b.dossier, back="citizen"))
            results.add_widget(button)
        self.message = "" if visit.dossiers else app.t("citizen.none")

    def take_priority_ticket(self) -> None:
        """To the ticket flow with the elderly priority offered, nothing to declare."""
        app = App.get_running_app()
        app.offered_priority = ELDERLY
        app.go("services")
