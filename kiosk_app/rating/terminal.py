"""The Kivy app of the rating terminal; imported only after Kivy is configured.

Background threads (stream, submissions, keypad, pairing) reach the screen only
through ``Clock.schedule_once``. A terminal with no token shows the pairing screen
first and swaps it for the rating screen once paired, as the hall board does.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.widget import Widget

from device_kit.errors import untrusted_text
from device_kit.pairing_code import big_code
from device_kit.trust_settings import TrustSettings
from device_kit.ui.lockdown import LockedApp
from kiosk_app.rating import pairing
from kiosk_app.rating.app import KEY_LEVELS, RatingOptions, RatingTerminal
from kiosk_app.rating.pairing import RatingPairingScreen
from kiosk_app.rating.screen import RatingScreen, load_kv

log = logging.getLogger(__name__)


class RatingApp(LockedApp):
    title = "motcua — đánh giá mức độ hài lòng"

    def __init__(
        self,
        server_url: str,
        token: str | None,
        options: RatingOptions,
        save_pairing: Callable[[str, str, Mapping[str, str]], None],
        trust: TrustSettings | None = None,
    ) -> None:
        super().__init__()
        self.options = options
        #: The counter keypad's port for the fleet: "" (none), ok or offline.
        self.keypad_state = ""
        self.terminal = RatingTerminal(
            server_url,
            token,
            self.request_redraw,
            save_pairing=save_pairing,
            data_dir=options.data_dir,
            health=self.health,
            trust=trust,
        )
        self._trace_pending: str | None = None
        self._traced: dict[str, Any] = {}
        self._keypad_stop = threading.Event()

    def build(self) -> Widget:
        if self.options.trace:
            Window.bind(on_flip=self._flush_trace)
        if self.terminal.paired:
            return self._rating_screen()
        pairing.load_kv()
        screen = RatingPairingScreen(server=self.terminal.server_url)
        screen.when_confirmed = self.terminal.confirm_fingerprint
        return screen

    def _rating_screen(self) -> RatingScreen:
        load_kv()
        screen = RatingScreen()
        screen.build_choices(self.terminal.flow.levels)
        screen.on_face = self.terminal.face
        screen.on_reason = self.terminal.reason
        screen.on_confirm = self.terminal.confirm
        return screen

    def on_start(self) -> None:
        self.terminal.start()
        Clock.schedule_interval(lambda _dt: self.terminal.tick(), 0.25)
        if self.options.keypad:
            threading.Thread(target=self._read_keypad, name="keypad", daemon=True).start()
        self.redraw()

    def on_stop(self) -> None:
        self._keypad_stop.set()
        self.terminal.stop()

    def request_redraw(self) -> None:
        Clock.schedule_once(lambda _dt: self.redraw())

    def redraw(self) -> None:
        terminal = self.terminal
        if isinstance(self.root, RatingPairingScreen) and terminal.paired:
            self._become_terminal()
        problem = untrusted_text(terminal.untrusted)
        if isinstance(self.root, RatingPairingScreen):
            self._show_code(terminal.pairing_code)
            self.root.fingerprint = terminal.pairing_fingerprint
            self.root.confirm = terminal.pairing_confirm
            self.root.problem = problem
        else:
            self.root.offline = terminal.link.value == "offline" or bool(problem)
            self.root.untrusted = problem
            self.root.show(terminal.flow, time.monotonic(), terminal.desk)
        if self.options.trace:
            state = terminal.trace_state()
            if state != self._traced:
                self._traced = state
                self._flush_trace()  # a state that drew no new frame still happened
                self._trace_pending = json.dumps({"t": time.time(), **state}, ensure_ascii=False)

    def _show_code(self, code: str) -> None:
        if code and code != self.root.code:
            print(big_code(code), flush=True)  # for a technician at the terminal's console
            self.root.code = code

    def _become_terminal(self) -> None:
        Window.remove_widget(self.root)  # type: ignore[has-type]
        self.root = self._rating_screen()
        Window.add_widget(self.root)

    def _flush_trace(self, *_: Any) -> None:
        if self._trace_pending is not None and self.options.trace is not None:
            with self.options.trace.open("a", encoding="utf-8") as trace:
                trace.write(self._trace_pending + "\n")
            self._trace_pending = None

    def health(self) -> dict[str, str]:
        """Fleet thread: the keypad is the one part the terminal watches."""
        if self.keypad_state != "offline" or self.options.keypad is None:
            return {"serial": self.keypad_state, "detail": ""}
        port = self.options.keypad[0]
        return {"serial": "offline", "detail": f"Mất bàn phím quầy / keypad missing: {port}"[:200]}

    def _keypad(self, state: str) -> None:
        if state != self.keypad_state:
            self.keypad_state = state
            if self.terminal.member is not None:
                self.terminal.member.report_now()

    def _read_keypad(self) -> None:
        """The counter keypad's rating keys, as an alternative to the touchscreen."""
        from drivers.errors import DriverError
        from drivers.keypad import open_keypad_bus

        assert self.options.keypad is not None
        port, address = self.options.keypad
        while not self._keypad_stop.is_set():
            try:
                with open_keypad_bus(port) as bus:
                    self._keypad("ok")
                    while not self._keypad_stop.is_set():
                        event = bus.read_event(timeout=0.5)
                        if event is None or event.address != address:
                            continue
                        level = KEY_LEVELS.get(event.key.name)
                        if level is not None:
                            Clock.schedule_once(
                                lambda _dt, lv=level: self.terminal.face(lv, from_keypad=True)
                            )
            except DriverError as exc:
                log.warning("keypad %s: %s; retrying", port, exc)
                self._keypad("offline")
                self._keypad_stop.wait(2.0)
