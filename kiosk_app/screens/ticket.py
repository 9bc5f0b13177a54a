"""Take a ticket, step 3: print, then "Mời nhận phiếu A023 — còn 5 người trước bạn"."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ObjectProperty, OptionProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk_app.controller import Issued, Refusal

BACK_HOME_S = 20.0


class TicketScreen(Screen):
    phase = OptionProperty("printing", options=["printing", "issued", "unprinted", "refused"])
    issued = ObjectProperty(None, allownone=True)
    problem = StringProperty("")

    def prepare(
        self,
        service: str = "",
        priority: str | None = None,
        dossier_code: str | None = None,
        issued: Issued | None = None,
    ) -> None:
        """Issue and print a ticket of ``service``; or show ``issued``, one already
        printed (an appointment checked in from the lookup screen)."""
        app = App.get_running_app()
        self.phase, self.issued, self.problem = "printing", None, ""
        if issued is not None:
            self._done(issued)
            return
        app.work(
            lambda: app.controller.take_ticket(service, priority, dossier_code),
            self._done,
            self._refused,
        )

    def _done(self, issued: Issued) -> None:
        self.issued = issued
        self.phase = "issued" if issued.printed else "unprinted"
        if issued.printed:
            Clock.schedule_once(self._back_home, BACK_HOME_S)

    def _refused(self, refusal: Refusal) -> None:
        self.problem = App.get_running_app().refusal_text(refusal)
        self.phase = "refused"

    def reprint(self) -> None:
        app = App.get_running_app()
        app.work(app.controller.reprint, self._reprinted)

    def _reprinted(self, printed: bool) -> None:
        if printed and self.issued is not None:
            self.phase = "issued"
            Clock.schedule_once(self._back_home, BACK_HOME_S)

    def on_leave(self, *_args: Any) -> None:
        Clock.unschedule(self._back_home)

    def _back_home(self, _dt: float) -> None:
        if self.manager and self.manager.current == self.name:
            App.get_running_app().go_home()

    def headline(self, _lang: str, *_deps: Any) -> str:
        app = App.get_running_app()
        if self.phase == "printing":
            return app.t("ticket.printing")
        if self.phase == "refused":
            return app.t("error.title")
        if self.phase == "unprinted":
            return app.t("ticket.unprinted", number=self.issued.number)
        return app.t("ticket.take", number=self.issued.number)

    def details(self, _lang: str, *_deps: Any) -> str:
        app, issued = App.get_running_app(), self.issued
        if self.phase == "refused":
            return self.problem
        if issued is None or self.phase != "issued":
            return ""
        lines = [app.pick(issued.service_name_vi, issued.service_name_en)]
        if issued.offline:
            lines.append(app.t("ticket.offline_note"))
        elif issued.ahead:
            lines.append(app.t("ticket.ahead", ahead=issued.ahead))
            minutes = max(1, round((issued.wait_s or 0) / 60))
            lines.append(app.t("ticket.wait", minutes=minutes))
        else:
            lines.append(app.t("ticket.ahead_none"))
        if issued.dossier_code:
            lines.append(app.t("ticket.dossier", code=issued.dossier_code))
        return "\n".join(lines)
