"""The Kivy app of the hall board: builds the screen, starts the stream, redraws.

Imported only by ``motcua-board hall`` after Kivy's configuration is set.
Background threads (the event stream, the audio queue, the fleet member, the
pairing wait) reach the screen only through ``Clock.schedule_once``. A board
started with no token at all shows a pairing code on the TV first, stores what
pairing gave, and then becomes the hall board without a restart.
"""

from __future__ import annotations

import argparse
import logging
import socket
import threading
from datetime import UTC, datetime
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.widget import Widget

from device_kit.event_stream import EventStream
from device_kit.first_pairing import FirstPairing
from device_kit.fleet import FleetMember
from device_kit.site_time import site_time
from device_kit.ui import pairing
from device_kit.ui.lockdown import LockedApp
from device_kit.ui.pairing import PairingScreen, ScreenView
from display_board.controller import HallController
from display_board.fleet import KIND, board_link
from display_board.hall_wiring import hall_parts, stream_config, trace_line
from display_board.screens import hall
from display_board.screens.hall import HallScreen

log = logging.getLogger(__name__)

TICKER_FPS = 20


class HallApp(LockedApp):
    title = "motcua — bảng gọi số"

    def __init__(self, args: argparse.Namespace, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.args = args
        self.controller: HallController | None = None
        self.member: FleetMember | None = None
        self.stream: EventStream | None = None
        self._traced: tuple[Any, ...] | None = None
        self._trace_pending: str | None = None
        self.pairing: FirstPairing | None = None

    def build(self) -> Widget:
        if stream_config(self.args).token:
            return self._hall_screen()
        pairing.load_kv()
        link = board_link(self.args)
        url = link.server_url.value
        self.pairing = FirstPairing(
            url, KIND, socket.gethostname(), link.trust_settings, link.pin_store,
            ScreenView(lambda: self.root),
        )
        screen = PairingScreen(server=url)
        screen.when_confirmed = self.pairing.confirm
        return screen

    def on_start(self) -> None:
        if isinstance(self.root, HallScreen):
            self._begin()
        else:
            threading.Thread(target=self._pair, name="pairing", daemon=True).start()

    def on_stop(self) -> None:
        if self.pairing is not None:
            self.pairing.stop()
        if self.stream is not None:
            self.stream.stop()
        if self.member is not None:
            self.member.stop()
        announcer = self.controller.announcer if self.controller else None
        if announcer is not None:
            announcer.stop()

    # pairing ------------------------------------------------------------------------
    def _pair(self) -> None:
        """The server's CA shown (and confirmed), codes until a technician enters one;
        then keep what pairing gave and become the hall board."""
        assert self.pairing is not None
        paired = self.pairing.run()
        if paired is None or paired.agent.token is None:
            return
        link = board_link(self.args)
        link.save_pairing(self.pairing.server_url, paired.agent.token, paired.trust.recorded())
        log.warning(
            "paired as %s; pairing stored in %s", paired.agent.name, link.pairing_file.value
        )
        Clock.schedule_once(lambda _dt: self._become_hall())

    def _become_hall(self) -> None:
        Window.remove_widget(self.root)  # type: ignore[has-type]
        self.root = self._hall_screen()
        Window.add_widget(self.root)
        self._begin()

    # the hall board -----------------------------------------------------------------
    def _hall_screen(self) -> HallScreen:
        hall.load_kv()
        screen = HallScreen(logo=self.args.logo, recent_slots=self.args.recent)
        if self.args.trace:
            Window.bind(on_flip=self._flush_trace)
        return screen

    def _begin(self) -> None:
        self.controller, self.stream, self.member = hall_parts(self.args, self.request_redraw)
        if self.member is not None:
            self.member.start()  # a cached layout applies before the first frame
        self.redraw()
        self.stream.start()
        Clock.schedule_interval(self._tick, 1 / TICKER_FPS)
        Clock.schedule_interval(lambda _dt: self.redraw(), 1.0)

    def request_redraw(self) -> None:
        """Thread-safe: the stream or fleet thread asks for the next frame to show the state."""
        Clock.schedule_once(lambda _dt: self.redraw())

    def redraw(self) -> None:
        if self.controller is None:
            return
        view = self.controller.view()
        self.root.show(view)
        if self.args.trace:
            numbers = [t.current for t in view.tiles]
            counters = [t.number for t in view.tiles]
            recent = [call.number for call in view.recent]
            key = (
                tuple(recent),
                tuple(numbers),
                tuple(counters),
                view.columns,
                view.languages,
                view.calls_seen,
                view.offline,
            )
            if key != self._traced:
                self._traced = key
                self._trace_pending = trace_line(
                    numbers,
                    view.calls_seen,
                    view.offline,
                    counters=counters,
                    columns=view.columns,
                    languages=",".join(view.languages),
                    recent=recent,
                )

    def _tick(self, dt: float) -> None:
        """The clock in the site's zone (the box's may be UTC), and the ticker."""
        assert self.controller is not None
        self.root.tick(site_time(self.controller.site_info, datetime.now(UTC)), dt)

    def _flush_trace(self, *_: Any) -> None:
        """After the frame is on screen: record what it showed."""
        if self._trace_pending is not None:
            with self.args.trace.open("a", encoding="utf-8") as trace:
                trace.write(self._trace_pending + "\n")
            self._trace_pending = None
