"""The Kivy app of the hall board: builds the screen, starts the stream, redraws.

Imported only by ``motcua-board hall`` after Kivy's configuration is set.
Background threads (the event stream, the audio queue) reach the screen only
through ``Clock.schedule_once``.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from display_board.main import hall_parts, trace_line
from display_board.screens.hall import HallScreen, load_kv

TICKER_FPS = 20


class HallApp(App):
    title = "motcua — bảng gọi số"

    def __init__(self, args: argparse.Namespace, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.args = args
        self.controller, self.stream = hall_parts(args, self.request_redraw)
        self._traced: tuple[Any, ...] | None = None
        self._trace_pending: str | None = None

    def build(self) -> HallScreen:
        load_kv()
        screen = HallScreen(
            columns=self.args.columns,
            english="en" in self.args.languages.split(","),
            logo=self.args.logo,
            recent_slots=self.args.recent,
        )
        if self.args.trace:
            Window.bind(on_flip=self._flush_trace)
        return screen

    def on_start(self) -> None:
        self.redraw()
        self.stream.start()
        Clock.schedule_interval(self._tick, 1 / TICKER_FPS)
        Clock.schedule_interval(lambda _dt: self.redraw(), 1.0)

    def on_stop(self) -> None:
        self.stream.stop()
        announcer = self.controller.announcer
        if announcer is not None:
            announcer.queue.stop()

    def request_redraw(self) -> None:
        """Thread-safe: the stream thread asks for the next frame to show the new state."""
        Clock.schedule_once(lambda _dt: self.redraw())

    def redraw(self) -> None:
        view = self.controller.view()
        self.root.show(view)
        if self.args.trace:
            numbers = [t.current for t in view.tiles]
            key = (tuple(numbers), view.calls_seen, view.offline)
            if key != self._traced:
                self._traced = key
                self._trace_pending = trace_line(numbers, view.calls_seen, view.offline)

    def _tick(self, dt: float) -> None:
        self.root.tick(datetime.now(), dt)

    def _flush_trace(self, *_: Any) -> None:
        """After the frame is on screen: record what it showed."""
        if self._trace_pending is not None:
            with self.args.trace.open("a", encoding="utf-8") as trace:
                trace.write(self._trace_pending + "\n")
            self._trace_pending = None
