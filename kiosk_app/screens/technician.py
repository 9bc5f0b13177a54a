"""The technician screen, behind five taps on the centre's name and a PIN (argon2 hash).

"Ghép nối" pairs the kiosk with the server's device fleet: it shows the server CA's
fingerprint (to compare with the fleet page, or to confirm when the kiosk fetched
it itself) and a six-digit code big until a technician enters it in the admin
tools, then keeps the new token and the trust. A kiosk without any token opens
here, on its pairing code, without a PIN: the code gives nothing away, the
technician confirms it with their own account.
"""

from __future__ import annotations

import math
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from device_kit.fleet import package_version
from device_kit.ui.pairing import ScreenView
from kiosk_app.pin_guard import PinAnswer


class TechnicianScreen(Screen):
    pin = StringProperty("")
    unlocked = BooleanProperty(False)
    panel = StringProperty("pin")  # pin | info | pair
    message = StringProperty("")
    printer_state = StringProperty("")
    pairing_code = StringProperty("")
    #: The server CA's fingerprint the kiosk will pin, and whether it waits for a yes.
    fingerprint = StringProperty("")
    confirm = BooleanProperty(False)
    problem = StringProperty("")

    def prepare(self, pairing: bool = False) -> None:
        self.pin, self.unlocked, self.message, self.printer_state = "", False, "", ""
        self.panel = "pin"
        if pairing:
            self.pair()

    def press(self, digit: str) -> None:
        if len(self.pin) < 12:
            self.pin += digit

    def unlock(self) -> None:
        app = App.get_running_app()
        guard = app.fleet.pin_guard
        answer = guard.try_pin(app.kiosk.pin_hash, self.pin)
        self.pin = ""
        if answer is PinAnswer.OPEN:
            self.unlocked, self.message, self.panel = True, "", "info"
            self.check_printer()
        elif answer is PinAnswer.WRONG:
            self.message = app.t("tech.pin_wrong")
        else:
            minutes = math.ceil(guard.remaining().total_seconds() / 60)
            self.message = app.t("tech.pin_locked", minutes=minutes)
            if answer is PinAnswer.LOCKED_OUT:
                app.fleet.report_now()  # the technician's fleet page sees it at once

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

    # pairing ---------------------------------------------------------------------------
    def pair(self) -> None:
        self.pairing_code, self.panel = "", "pair"
        self.fingerprint, self.confirm, self.problem = "", False, ""
        view = ScreenView(lambda: self, code_property="pairing_code")
        App.get_running_app().fleet.start_pairing(view, self._paired)

    def fingerprint_confirmed(self) -> None:
        self.confirm = False
        App.get_running_app().fleet.confirm_fingerprint()

    def _paired(self) -> None:
        app = App.get_running_app()
        self.pairing_code = ""
        if self.unlocked:
            self.panel = "info"
            app.refresh()
        else:
            app.refresh()
            app.go_home()

    def cancel_pairing(self) -> None:
        App.get_running_app().fleet.stop_pairing()
        self.panel = "info" if self.unlocked else "pin"

    def on_leave(self, *_args: Any) -> None:
        App.get_running_app().fleet.stop_pairing()
        self.prepare()

    def info(self, _lang: str, *_deps: Any) -> str:
        app = App.get_running_app()
        controller, fleet = app.controller, app.fleet
        rows = [
            (app.t("tech.server"), controller.client.base_url),
            (app.t("tech.device"), app.kiosk.device),
            (app.t("tech.fleet_name"), fleet.name or app.t("tech.not_paired")),
            (app.t("tech.config_revision"), str(fleet.revision) if fleet.name else "—"),
            (app.t("tech.version"), package_version()),
            (app.t("tech.network"), app.t("tech.online" if app.online else "tech.offline")),
            (app.t("tech.printer"), f"{app.hardware.printer_url} — {self.printer_state}"),
        ]
        lines = [f"[b]{label}:[/b] {value}" for label, value in rows]
        lines.append(app.t("tech.outbox", count=controller.pending_count()))
        lines.append(app.t("tech.blocks", count=controller.spare_numbers()))
        problem = controller.state.last_problem or app.t("tech.none")
        lines.append(app.t("tech.last_problem", problem=problem))
        return "\n".join(lines)
