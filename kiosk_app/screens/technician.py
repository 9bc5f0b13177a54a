"""The technician screen, behind five taps on the centre's name and a PIN (argon2 hash)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk_app.config import pin_matches


def package_version() -> str:
    try:
        return version("motcua")
    except PackageNotFoundError:
        return "dev"


class TechnicianScreen(Screen):
    pin = StringProperty("")
    unlocked = BooleanProperty(False)
    message = StringProperty("")
    printer_state = StringProperty("")

    def prepare(self) -> None:
        self.pin, self.unlocked, self.message, self.printer_state = "", False, "", ""

    def press(self, digit: str) -> None:
        if len(self.pin) < 12:
            self.pin += digit

    def unlock(self) -> None:
        app = App.get_running_app()
        if pin_matches(app.kiosk.pin_hash, self.pin):
            self.unlocked, self.message = True, ""
            self.check_printer()
        else:
            self.message = app.t("tech.pin_wrong")
        self.pin = ""

    def check_printer(self) -> None:
        app = App.get_running_app()
        app.work(app.controller.check_printer, self._printer_checked)

    def test_print(self) -> None:
        app = App.get_running_app()
        app.work(app.controller.test_print, self._printer_checked)

    def sync(self) -> None:
        App.get_running_app().refresh()

    def _printer_checked(self, problem: str | None) -> None:
        self.printer_state = App.get_running_app().t(problem or "tech.ok")

    def on_leave(self, *_args: Any) -> None:
        self.prepare()

    def info(self, _lang: str, *_deps: Any) -> str:
        app = App.get_running_app()
        controller = app.controller
        rows = [
            (app.t("tech.server"), controller.client.base_url),
            (app.t("tech.device"), app.kiosk.device),
            (app.t("tech.version"), package_version()),
            (app.t("tech.network"), app.t("tech.online" if app.online else "tech.offline")),
            (app.t("tech.printer"), f"{app.kiosk.printer_url} — {self.printer_state}"),
        ]
        lines = [f"[b]{label}:[/b] {value}" for label, value in rows]
        lines.append(app.t("tech.outbox", count=controller.pending_count()))
        lines.append(app.t("tech.blocks", count=controller.spare_numbers()))
        problem = controller.state.last_problem or app.t("tech.none")
        lines.append(app.t("tech.last_problem", problem=problem))
        return "\n".join(lines)
