"""Take a ticket, step 1: the services the server lists, as a grid of big buttons."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.factory import Factory
from kivy.uix.screenmanager import Screen


class ServicesScreen(Screen):
    _shown: tuple[list[dict[str, Any]], bool] | None = None

    def populate(self, services: list[dict[str, Any]]) -> None:
        """One button per active service; the labels follow the language switch.

        A service closed now is greyed out with the time it opens, so nobody taps
        it to be refused. Offline the server's word on that is as old as the cache,
        and an offline number block still issues, so every service stays tappable.
        Rebuilt only when the list changed, so a heartbeat never moves a button
        under a visitor's finger.
        """
        app = App.get_running_app()
        if (services, app.online) == self._shown:
            return
        self._shown = services, app.online
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
            button.opens_vi = service.get("opens_at_vi") or ""
            button.opens_en = service.get("opens_at_en") or ""
            button.disabled = app.online and not service.get("open_now", True)
            button.bind(on_release=lambda b: app.go("priority", service=b.code))
            grid.add_widget(button)
        self.ids.empty.opacity = 0 if grid.children else 1
