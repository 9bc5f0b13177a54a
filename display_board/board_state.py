"""What the hall board shows, built from the snapshot and the events (no Kivy, no I/O).

The model is fed by :class:`device_kit.event_stream.EventStream`: a snapshot
on every (re)connection, then events in id order. The snapshot is the truth
for the counters; events are replayed after it to learn the calls that were
made while the board was away — announced once, never twice (an event id
already seen is ignored), and never allowed to roll a counter back to an older
state than the snapshot's.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from device_kit.contract.events import CALL_KINDS, CLEARING_KINDS, EventKind
from device_kit.event_stream import Event


@dataclass(frozen=True)
class Call:
    """A number called to a counter; ``recall`` when the officer called it again,
    ``returning`` when a parked visitor is called back ("Mời quay lại quầy …")."""

    event_id: int
    number: str
    counter: int
    service: str = ""
    recall: bool = False
    returning: bool = False


def call_of(event_id: int, kind: str, data: dict[str, Any]) -> Call | None:
    """The call a call event (live or from the recent calls) makes; None for others."""
    ticket = data.get("ticket") or {}
    counter = data.get("counter")
    if kind not in CALL_KINDS or not ticket.get("number") or not isinstance(counter, int):
        return None
    return Call(
        event_id,
        ticket["number"],
        counter,
        ticket.get("service", ""),
        recall=kind == EventKind.TICKET_RECALLED,
        returning=kind == EventKind.TICKET_RESUMED,
    )


@dataclass
class CounterTile:
    """One counter as the board shows it."""

    id: int
    number: int
    name: str
    state: str = "open"
    pause_reason: str | None = None
    current: str | None = None
    ticket_id: int | None = None
    #: Id of the event that last called a number here: the view highlights the newest.
    called_by: int = 0

    @property
    def paused(self) -> bool:
        return self.state == "paused"


@dataclass
class BoardModel:
    """Counters, the last calls, and the event id up to which both are known."""

    recent_size: int = 6
    counters: dict[int, CounterTile] = field(default_factory=dict)
    recent: deque[Call] = field(default_factory=deque)
    last_event_id: int = 0
    snapshot_event_id: int = 0
    site: str = ""

    def apply_snapshot(self, snapshot: dict[str, Any]) -> None:
        """Replace the counters with the server's; keep the calls already shown."""
        self.site = snapshot.get("site", self.site)
        self.snapshot_event_id = int(snapshot.get("last_event_id") or 0)
        tiles: dict[int, CounterTile] = {}
        for row in snapshot.get("counters", []):
            ticket = row.get("current_ticket") or {}
            old = self.counters.get(row["number"])
            tiles[row["number"]] = CounterTile(
                id=row["id"],
                number=row["number"],
                name=row.get("name", ""),
                state=row.get("state", "open"),
                pause_reason=row.get("pause_reason"),
                current=ticket.get("number"),
                ticket_id=ticket.get("id"),
                called_by=old.called_by if old and old.ticket_id == ticket.get("id") else 0,
            )
        self.counters = tiles
        if self.last_event_id == 0:
            # A board starting afresh has announced nothing: the past is not re-read.
            self.last_event_id = self.snapshot_event_id

    def apply(self, event: Event) -> Call | None:
        """Apply one event; return the call to announce, if it is one (at most once)."""
        if event.id <= self.last_event_id:
            return None
        self.last_event_id = event.id
        counter_no = event.data.get("counter")
        tile = self.counters.get(counter_no) if isinstance(counter_no, int) else None
        ticket = event.data.get("ticket") or {}
        fresh = event.id > self.snapshot_event_id  # older ones are already in the snapshot
        call = call_of(event.id, event.kind, event.data)
        if call is not None:
            self._remember(call)
            if tile is not None and fresh:
                # A counter that calls is at work again, whatever its last pause said.
                tile.current, tile.ticket_id, tile.called_by = (
                    call.number,
                    ticket.get("id"),
                    call.event_id,
                )
                tile.state, tile.pause_reason = "open", None
            return call
        if tile is None or not fresh:
            return None
        if event.kind in CLEARING_KINDS and tile.ticket_id == ticket.get("id"):
            tile.current, tile.ticket_id = None, None
        elif event.kind == EventKind.COUNTER_PAUSED:
            tile.state, tile.pause_reason = "paused", event.data.get("reason")
        elif event.kind == EventKind.COUNTER_RESUMED:
            tile.state, tile.pause_reason = "open", None
        return None

    def restore_calls(self, rows: list[dict[str, Any]]) -> None:
        """After a restart: list the server's last calls (newest first), announcing
        none. Only an empty list is filled: calls seen live are never replaced."""
        if self.recent:
            return
        for row in reversed(rows):
            call = call_of(int(row.get("id") or 0), str(row.get("kind")), row)
            if call is not None:
                self._remember(call)

    def _remember(self, call: Call) -> None:
        self.recent = deque(
            [c for c in self.recent if (c.number, c.counter) != (call.number, call.counter)],
            maxlen=self.recent_size,
        )
        self.recent.appendleft(call)

    @property
    def newest_call(self) -> Call | None:
        return self.recent[0] if self.recent else None

    def tiles(self, numbers: list[int] | None = None) -> list[CounterTile]:
        """The counters to draw, in the site's order or the configured one."""
        if numbers is None:
            return [self.counters[n] for n in sorted(self.counters)]
        return [self.counters.get(n) or CounterTile(0, n, f"Quầy {n}", "closed") for n in numbers]
