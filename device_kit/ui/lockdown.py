"""What a visitor's keyboard may not do to the kiosk, the rating terminal or the
hall board: open Kivy's settings panel (F1) or close the window (Alt+F4 under a
window manager). Only the app itself ends its session."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.core.window import Window


class LockedApp(App):
    use_kivy_settings = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        Window.bind(on_request_close=self._refuse_close)

    def open_settings(self, *largs: Any) -> bool:
        """F1 still reaches Kivy's handler, which consumes it; nothing opens."""
        return False

    def _refuse_close(self, *args: Any, **kwargs: Any) -> bool:
        return True
