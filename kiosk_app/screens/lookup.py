"""Look up a dossier: camera with live preview and a target frame, scanners, on-screen keys.

A citizen ID card's QR, scanned here whatever the purpose, opens "Hồ sơ của tôi"
(the visitor's dossiers and, from 60 years of age, the elderly priority); the
card's text is parsed and dropped, never shown, kept or logged.

The same screen takes the code of a dossier to rate (``purpose="rate"``, from the
home screen's "Đánh giá"): the code is checked the same way, a dossier rated
already is refused right here, and otherwise the rating screen asks the nine
indicators. And it checks a booking in (``purpose="appointment"``, "Tôi đã đặt
lịch"): the booking QR, its code, the phone number or the ID card (when the booking
recorded the ID; only its number is sent) gives a ticket with the appointment
priority; outside the check-in window the visitor reads why and may take a normal
ticket instead.

Scanners are open only while this screen shows, as the fleet configured them
last. Each configured scanner
(``camera:N``, ``serial:...``, ``wedge``) delivers scans on its own thread; the
screen takes them back to the Kivy thread. A keyboard-wedge scanner types into
the window, so key presses are fed to the wedge while this screen is current.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from device_kit.contract.citizen_card import parse_citizen_card
from drivers.errors import DriverError
from drivers.scanner.base import ErrorCallback
from kiosk_app.controller import CitizenVisit, Issued, Refusal
from kiosk_app.dossier_view import DossierView
from kiosk_app.screens.keys import fill_keys

log = logging.getLogger(__name__)

KEY_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM.")
MAX_CODE = 48
PREVIEW_FPS = 10


def default_scanner(config: str, on_scan: Any, *, on_error: ErrorCallback | None = None) -> Any:
    from drivers.scanner import open_scanner

    return open_scanner(config, on_scan, on_error=on_error)


class LookupScreen(Screen):
    purpose = StringProperty("lookup")  # or "rate", "appointment", "citizen" (scan the ID card)
    code = StringProperty("")
    #: The service a refused check-in offers a normal ticket of ("" offers none).
    normal_service = StringProperty("")
    message = StringProperty("")
    busy = BooleanProperty(False)
    camera = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._scanners: list[Any] = []
        self._chosen_service = ""
        self._wedge: Any = None
        Clock.schedule_once(self._build_keys)

    def prepare(self, purpose: str = "lookup", service: str = "") -> None:
        self.purpose, self.code, self.message = purpose, "", ""
        self._chosen_service, self.normal_service = service, ""

    def _build_keys(self, _dt: float) -> None:
        fill_keys(self.ids.keypad, KEY_ROWS, self.type, self.backspace)

    # typing ----------------------------------------------------------------------------
    def type(self, char: str) -> None:
        if len(self.code) < MAX_CODE:
            self.code += char
            self.message = ""

    def backspace(self) -> None:
        self.code = self.code[:-1]

    def clear(self) -> None:
        self.code, self.message = "", ""

    def submit(self, text: str | None = None) -> None:
        query = self.code if text is None else text
        if self.busy or not query.strip():
            return
        app = App.get_running_app()
        self.busy, self.message, self.normal_service = True, app.t("lookup.searching"), ""
        card = parse_citizen_card(query)
        if self.purpose == "appointment" and card is not None:
            app.work(lambda: app.controller.check_in_by_card(card), self._checked_in, self._refused)
        elif self.purpose == "appointment":
            app.work(lambda: app.controller.check_in(query), self._checked_in, self._refused)
        elif card is not None:
            app.work(lambda: app.controller.citizen_visit(card), self._citizen, self._refused)
        elif self.purpose == "rate":
            app.work(lambda: app.controller.dossier_to_rate(query), self._to_rate, self._refused)
        else:
            app.work(lambda: app.controller.lookup(query), self._found, self._refused)

    def _leave(self, screen: str, **values: Any) -> None:
        """The answer came: the search is cleared, ``screen`` shows it."""
        self.busy, self.message, self.code = False, "", ""
        App.get_running_app().go(screen, **values)

    def _found(self, dossier: DossierView) -> None:
        self._leave("dossier", dossier=dossier)

    def _citizen(self, visit: CitizenVisit) -> None:
        self._leave("citizen", visit=visit)

    def _to_rate(self, found: tuple[DossierView, list[dict[str, Any]]]) -> None:
        dossier, indicators = found
        self._leave("rating", dossier=dossier, indicators=indicators)

    def _checked_in(self, issued: Issued) -> None:
        self._leave("ticket", issued=issued)

    def _refused(self, refusal: Refusal) -> None:
        self.busy = False
        self.message = App.get_running_app().refusal_text(refusal)
        if self.purpose == "appointment":
            self.normal_service = refusal.values.get("normal_service") or self._chosen_service

    def take_normal(self) -> None:
        App.get_running_app().go("ticket", service=self.normal_service)

    # scanners ------------------------------------------------------------------------
    def on_pre_enter(self, *_args: Any) -> None:
        app = App.get_running_app()
        factory = app.scanner_factory or default_scanner
        self.camera = False
        for config in app.hardware.scanners:
            part = "camera" if config.startswith("camera") else "scanner"
            try:
                scanner = factory(config, self._scanned, on_error=self._health(part))
            except (DriverError, ValueError) as error:
                log.warning("scanner %s unavailable: %s", config, error)
                app.fleet.note_scanner(part, "offline")
                continue
            app.fleet.note_scanner(part, "ok")
            self._scanners.append(scanner)
            if hasattr(scanner, "latest_frame"):
                self.camera = True
            if hasattr(scanner, "key"):
                self._wedge = scanner
        Window.bind(on_textinput=self._on_text, on_key_down=self._on_key)
        Clock.schedule_interval(self._show_frame, 1 / PREVIEW_FPS)

    def on_leave(self, *_args: Any) -> None:
        Clock.unschedule(self._show_frame)
        Window.unbind(on_textinput=self._on_text, on_key_down=self._on_key)
        self.release_scanners()

    def release_scanners(self) -> None:
        """Stop the scanner threads and free the camera. Also called when the app stops
        on this screen: a camera thread still inside the native decoder at interpreter
        exit aborts the process ("terminate called without an active exception")."""
        for scanner in self._scanners:
            scanner.close()
        self._scanners, self._wedge = [], None

    @staticmethod
    def _health(part: str) -> ErrorCallback:
        """What a scanner calls, on its thread, when its device stops (a camera pulled
        out) or comes back: the heartbeat says so at once, not the ``ok`` of its opening."""
        fleet = App.get_running_app().fleet

        def tell(error: DriverError | None) -> None:
            state = "ok" if error is None else "offline"

            def note(_dt: float) -> None:
                fleet.note_scanner(part, state)
                fleet.report_now()

            Clock.schedule_once(note)

        return tell

    def _scanned(self, scan: Any) -> None:
        """Called on a scanner thread: the payload goes to the Kivy thread, never to a log."""
        Clock.schedule_once(lambda _dt: self.submit(scan.payload))

    def _on_text(self, _window: Any, text: str) -> None:
        if self._wedge is not None:
            for char in text:
                self._wedge.key(char)

    def _on_key(self, _window: Any, key: int, *_args: Any) -> None:
        if self._wedge is not None and key == 13:
            self._wedge.key("\r")

    def _show_frame(self, _dt: float) -> None:
        frame = next((s.latest_frame() for s in self._scanners if hasattr(s, "latest_frame")), None)
        if frame is None:
            return
        height, width = frame.shape[:2]
        texture = self.ids.preview.texture
        if texture is None or texture.size != (width, height):
            texture = Texture.create(size=(width, height), colorfmt="bgr")
            texture.flip_vertical()
        texture.blit_buffer(frame.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
        self.ids.preview.texture = texture
        self.ids.preview.canvas.ask_update()
