"""Take a ticket, step 2: "Bạn thuộc diện ưu tiên?" with the groups the server lists,
and "Tôi đã đặt lịch" for a visitor with a booking (checked in from the lookup screen).

When the visitor's ID card showed 60 or more (``app.offered_priority``), the
elderly priority is offered first, with nothing to declare.
"""

from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

APPOINTMENT = "appointment"


class PriorityScreen(Screen):
    service = StringProperty("")
    offered = StringProperty("")  # the group the card entitles the visitor to, or ""

    def prepare(self, service: str) -> None:
        app = App.get_running_app()
        self.service = service
        self.offered = app.offered_priority
        grid = self.ids.groups
        grid.clear_widgets()
        for group in app.controller.state.site.get("priority_groups", []):
            if group["code"] == APPOINTMENT:
                continue  # a booking is shown, not declared: "Tôi đã đặt lịch" below
            button = Factory.PriorityButton()
            button.code = group["code"]
            button.label_vi, button.label_en = group["label_vi"], group["label_en"]
            button.bind(on_release=lambda b: self.choose(b.code))
            grid.add_widget(button)

    def booked(self) -> None:
        App.get_running_app().go("lookup", purpose="appointment", service=self.service)

    def choose(self, priority: str | None) -> None:
        App.get_running_app().go("ticket", service=self.service, priority=priority)
