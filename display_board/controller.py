"""The hall board's logic without Kivy: it follows the stream, keeps the model, queues
each call's announcement, and hands the screen a ready-to-draw view.

Stream callbacks arrive on the stream's thread; the screen reads :meth:`view` on
the UI thread after ``on_change`` told it something moved (the Kivy app turns
that into a ``Clock.schedule_once``), so the lock here is the only shared state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from device_kit.contract.events import EventKind
from device_kit.errors import untrusted_text
from device_kit.event_stream import SILENCE_LIMIT, Event, LinkState, Liveness
from display_board.board_state import BoardModel, Call, CounterTile

log = logging.getLogger(__name__)


class CallAnnouncer(Protocol):
    def announce(
        self, number: str, counter: int, *, recall: bool = False, returning: bool = False
    ) -> Any: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class HallLayout:
    """Per-site layout: which counters (None: all the server has), grid columns, languages."""

    counters: list[int] | None = None
    columns: int = 4
    languages: tuple[str, ...] = ("vi", "en")
    recent_calls: int = 6
    highlight_s: float = 10.0


@dataclass(frozen=True)
class TileView:
    number: int
    name: str
    current: str
    paused: bool
    pause_reason: str
    highlighted: bool


@dataclass(frozen=True)
class HallView:
    tiles: list[TileView]
    recent: list[Call]
    offline: bool
    site: str = ""
    newest: Call | None = None
    calls_seen: int = 0
    site_info: dict[str, Any] = field(default_factory=dict)
    columns: int = 4
    languages: tuple[str, ...] = ("vi", "en")
    #: Why the server is refused (both languages), shown in place of "offline".
    untrusted: str = ""


class HallController:
    """A :class:`~device_kit.event_stream.StreamListener` for the hall board."""

    def __init__(
        self,
        layout: HallLayout,
        announcer: CallAnnouncer | None,
        *,
        on_change: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
        silence_limit: float = SILENCE_LIMIT,
        liveness: Liveness | None = None,
        fetch_site: Callable[[], dict[str, Any]] | None = None,
        fetch_recent: Callable[[int], list[dict[str, Any]]] | None = None,
    ) -> None:
        """``liveness``: share the stream's, so its heartbeats count too; ``fetch_site``
        reads the centre's names and ticker on each resync and after a config change;
        ``fetch_recent`` the server's last calls, listed while the board has none (a
        board restarted mid-day shows what was called before, without announcing it)."""
        self.layout = layout
        self.announcer = announcer
        self.on_change = on_change
        self.clock = clock
        self.silence_limit = silence_limit
        self.model = BoardModel(recent_size=layout.recent_calls)
        self.liveness = liveness or Liveness(clock)
        self.link = LinkState.CONNECTING
        self.calls_seen = 0
        self.fetch_site = fetch_site
        self.fetch_recent = fetch_recent
        self.site_info: dict[str, Any] = {}
        self._highlight_until = 0.0
        self._lock = threading.Lock()

    # StreamListener ---------------------------------------------------------------
    def on_snapshot(self, snapshot: dict[str, Any]) -> None:
        self._read_site()
        recent = self._read_recent()
        with self._lock:
            self.liveness.heard()
            self.model.apply_snapshot(snapshot)
            self.model.restore_calls(recent)
        self.on_change()

    def on_event(self, event: Event) -> None:
        if event.kind == EventKind.CONFIG_CHANGED:
            self._read_site()
        with self._lock:
            self.liveness.heard()
            call = self.model.apply(event)
            if call is not None:
                self.calls_seen += 1
                self._highlight_until = self.clock() + self.layout.highlight_s
        if call is not None and self.announcer is not None:
            self.announcer.announce(
                call.number, call.counter, recall=call.recall, returning=call.returning
            )
        self.on_change()

    def _read_site(self) -> None:
        """Names and ticker are cosmetic: failing to read them never stops the calls."""
        if self.fetch_site is None:
            return
        try:
            info = self.fetch_site()
        except Exception as exc:
            log.warning("centre names and ticker not read: %s", exc)
            return
        with self._lock:
            self.site_info = info

    def _read_recent(self) -> list[dict[str, Any]]:
        """The last calls, while the list is empty; an older server or a failed read
        leaves the list to fill from the live calls."""
        if self.fetch_recent is None or self.model.recent:
            return []
        try:
            return self.fetch_recent(self.layout.recent_calls)
        except Exception as exc:
            log.warning("last calls not read: %s", exc)
            return []

    def on_state(self, state: LinkState) -> None:
        with self._lock:
            self.link = state
            if state is LinkState.LIVE:
                self.liveness.heard()
        self.on_change()

    def set_layout(self, layout: HallLayout) -> None:
        """A technician changed the layout (any thread): the next frame draws it."""
        with self._lock:
            self.layout = layout
        self.on_change()

    # what the screen draws --------------------------------------------------------
    def view(self) -> HallView:
        with self._lock:
            newest = self.model.newest_call
            lit = newest.event_id if newest and self.clock() < self._highlight_until else None
            tiles = [self._tile(t, lit) for t in self.model.tiles(self.layout.counters)]
            return HallView(
                tiles=tiles,
                recent=list(self.model.recent),
                offline=self.liveness.is_silent(self.silence_limit)
                or self.liveness.untrusted is not None,
                untrusted=untrusted_text(self.liveness.untrusted),
                site=self.model.site,
                newest=newest,
                calls_seen=self.calls_seen,
                site_info=dict(self.site_info),
                columns=self.layout.columns,
                languages=self.layout.languages,
            )

    @staticmethod
    def _tile(tile: CounterTile, lit: int | None) -> TileView:
        return TileView(
            number=tile.number,
            name=tile.name,
            current=tile.current or "",
            paused=tile.paused,
            pause_reason=tile.pause_reason or "",
            highlighted=lit is not None and tile.called_by == lit,
        )
