"""Take a ticket, step 1: the services the server lists, as a grid of big buttons."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.factory import Factory
from kivy.uix.screenmanager import Screen


class ServicesScreen(Screen):
    _shown: list[dict[str, Any]] | None = None

    def populate(self, services: list[dict[str, Any]]) -> None:
        """One button per active service; the labels follow the language switch.

        Rebuilt only when the list changed, so a heartbeat never moves a button
        under a visitor's finger.
        """
        if services == self._shown:
            return
        self._shown = services
        app = App.get_running_app()
        grid = self.ids.grid
        grid.clear_widgets()
        for service in services:
            if not service.get("active", True):
                continue
            button = Factory.ServiceButton()
            button.code = service["code"]
            button.name_vi = service["name_vi"]
            button.name_en = service.get("name_en") or ""
            button.prefix = service["prefix"]
            button.bind(on_release=lambda b: app.go("priority", service=b.code))
            grid.add_widget(button)
        self.ids.empty.opacity = 0 if grid.children else 1
