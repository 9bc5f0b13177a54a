"""Thanks after a dossier rating, with the points given out of the points possible."""

from __future__ import annotations

from typing import Any

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen


class ThanksScreen(Screen):
    code = StringProperty("")
    total = NumericProperty(0)
    maximum = NumericProperty(0)

    def prepare(self, stored: dict[str, Any]) -> None:
        """``stored`` is the server's answer: the dossier code, total and maximum."""
        self.code = stored["dossier_code"]
        self.total, self.maximum = stored["total"], stored["maximum"]
