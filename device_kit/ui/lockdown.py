"""What a visitor's keyboard may not do to the kiosk, the rating terminal or the
hall board: open Kivy's settings panel (F1) or close the window (Alt+F4 under a
window manager). Only the app itself ends its session, or the box's service manager:
SIGTERM (systemd, the demo) and SIGINT stop it the way its own stop does."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class LockedApp(App):
    use_kivy_settings = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        Window.bind(on_request_close=self._refuse_close)
        self._signal_handlers: dict[int, Any] = {}
        self.fbind("on_start", self._stop_on_signals)
        self.fbind("on_stop", self._restore_signals)

    def open_settings(self, *largs: Any) -> bool:
        """F1 still reaches Kivy's handler, which consumes it; nothing opens."""
        return False

    def _refuse_close(self, *args: Any, **kwargs: Any) -> bool:
        return True

    def _stop_on_signals(self, *_args: Any) -> None:
        """SDL turns SIGTERM and SIGINT into a close request, which this app refuses:
        the process would never end and systemd would have to kill it, skipping
        ``on_stop``. Handled here, they stop the app on its own loop instead."""
        for sig in STOP_SIGNALS:
            self._signal_handlers[sig] = signal.signal(sig, self._stop_signalled)

    def _stop_signalled(self, signum: int, _frame: FrameType | None) -> None:
        log.info("%s: stopping", signal.Signals(signum).name)
        Clock.schedule_once(lambda _dt: self.stop())

    def _restore_signals(self, *_args: Any) -> None:
        for sig, handler in self._signal_handlers.items():
            signal.signal(sig, handler)
        self._signal_handlers.clear()
