"""The hall TV: counters with their current number, the last calls, the centre's name,
the clock, a ticker, and a discreet mark when the server has been silent too long.

The screen only draws a :class:`~display_board.controller.HallView`; it holds no
queue logic. Tiles are reused between redraws so a call costs a property change.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from device_kit.ui.kivy_setup import load_kv_once
from display_board.board_state import Call
from display_board.controller import HallView

KV_FILE = Path(__file__).with_suffix(".kv")

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def load_kv() -> None:
    """Load the screen's rules once (called by the app, never at import)."""
    load_kv_once(KV_FILE)


def clock_text(now: datetime) -> str:
    return f"{now:%H:%M}\n{WEEKDAYS_VI[now.weekday()]}, {now:%d/%m/%Y}"


def call_label(call: Call) -> str:
    """Where the called number goes; a parked visitor called back is told to return."""
    where = f"QUẦY {call.counter}"
    return f"QUAY LẠI\n{where}" if call.returning else where


class CounterTileView(BoxLayout):
    counter_label = StringProperty("")
    current = StringProperty("")
    detail = StringProperty("")
    highlighted = BooleanProperty(False)
    paused = BooleanProperty(False)


class RecentCallRow(BoxLayout):
    number = StringProperty("")
    counter_label = StringProperty("")
    fresh = BooleanProperty(False)


class HallScreen(BoxLayout):
    centre_vi = StringProperty("Trung tâm Phục vụ hành chính công")
    centre_en = StringProperty("Public Administrative Service Centre")
    ticker = StringProperty("")
    clock = StringProperty("")
    logo = StringProperty("")
    offline = BooleanProperty(False)
    #: Why the server is refused, in both languages ("" when it is not).
    untrusted = StringProperty("")
    english = BooleanProperty(True)
    columns = NumericProperty(4)
    rows = NumericProperty(2)
    ticker_x = NumericProperty(0)
    shown_numbers = ListProperty([])
    recent_slots = NumericProperty(6)

    def show(self, view: HallView) -> None:
        """Draw ``view``: update tiles and the last-calls list in place."""
        info = view.site_info
        if info:
            self.centre_vi = info.get("name_vi") or self.centre_vi
            self.centre_en = info.get("name_en") or self.centre_en
            ticker = [info.get("ticker_vi", "")]
            if self.english:
                ticker.append(info.get("ticker_en", ""))
            self.ticker = "   •   ".join(t for t in ticker if t)
        self.offline = view.offline
        self.untrusted = view.untrusted
        self.columns = view.columns
        self.english = "en" in view.languages
        grid = self.ids.counters
        if len(grid.children) != len(view.tiles):
            grid.clear_widgets()
            for _ in view.tiles:
                grid.add_widget(CounterTileView())
        self.rows = max(1, -(-len(view.tiles) // int(self.columns)))
        for widget, tile in zip(reversed(grid.children), view.tiles, strict=True):
            widget.counter_label = self._counter_label(tile.number)
            widget.current = tile.current or ("—" if not tile.paused else "")
            widget.detail = f"Tạm dừng: {tile.pause_reason}" if tile.paused else tile.name
            widget.paused = tile.paused
            widget.highlighted = tile.highlighted
        rows = self.ids.recent
        while len(rows.children) < self.recent_slots:
            rows.add_widget(RecentCallRow())
        slots = list(reversed(rows.children))
        for index, row in enumerate(slots):
            call = view.recent[index] if index < len(view.recent) else None
            row.number = call.number if call else ""
            row.counter_label = call_label(call) if call else ""
            row.fresh = call is not None and view.newest is not None and call == view.newest
        self.shown_numbers = [t.current for t in view.tiles]

    def _counter_label(self, number: int) -> str:
        return f"QUẦY {number}" + (f" · COUNTER {number}" if self.english else "")

    def tick(self, now: datetime, dt: float) -> None:
        """Once a second or faster: the clock and the ticker's scroll."""
        self.clock = clock_text(now)
        label = self.ids.ticker_label
        self.ticker_x -= 120 * dt
        if self.ticker_x < -label.texture_size[0]:
            self.ticker_x = self.width
