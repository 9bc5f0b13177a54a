"""The LED bridge: keeps the number board above each counter showing that counter's
current number, from the server's events.

Each serial port has one worker thread that reconciles what its boards should
show with what they were last sent: a change is sent once, a board that did not
answer is tried again, and a port that vanished is reopened with back-off and
then every board on it is sent its state again — so an unplugged adapter or a
restarted bridge never leaves a board blank or stale.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from display_board.board_state import BoardModel, CounterTile
from drivers.errors import DeviceDisconnected, DriverError
from drivers.led import open_led_bus
from queue_server.client.event_stream import Event, LinkState

log = logging.getLogger(__name__)

PAUSED_TEXT = "Tạm dừng"
BLINK_HALF_PERIOD = 0.5


@dataclass(frozen=True)
class LedRoute:
    """Counter ``counter`` is shown by the board at ``address`` on serial ``port``."""

    counter: int
    port: str
    address: int

    @classmethod
    def parse(cls, text: str) -> LedRoute:
        """``"3=/dev/ttyUSB0:3"``: counter 3 on the board at address 3 of ttyUSB0."""
        counter, sep, rest = text.partition("=")
        port, colon, address = rest.rpartition(":")
        if not (sep and colon and counter.strip().isdigit() and address.strip().isdigit()):
            raise ValueError(f"expected COUNTER=PORT:ADDRESS, got {text!r}")
        return cls(int(counter), port.strip(), int(address))


@dataclass(frozen=True)
class Display:
    """What one board shows: a ticket number, a short text, or nothing; blinking or not."""

    text: str = ""
    number: bool = False
    blink: bool = False


def display_for(tile: CounterTile | None, blinking: bool) -> Display:
    """A counter's board: its current number (blinking just after a call), or paused."""
    if tile is None:
        return Display()
    if tile.current:
        return Display(tile.current, number=True, blink=blinking)
    if tile.paused:
        return Display(PAUSED_TEXT)
    return Display()


class Board(Protocol):
    def show_number(self, number: str) -> None: ...
    def show_text(self, text: str) -> None: ...
    def blank(self) -> None: ...
    def blink(self, half_period: float = BLINK_HALF_PERIOD) -> None: ...


class Bus(Protocol):
    def board(self, address: int) -> Any: ...
    def close(self) -> None: ...


def send_display(board: Board, wanted: Display, shown: Display | None) -> None:
    """Send only what differs from what the board was last known to show."""
    if shown is None or (wanted.text, wanted.number) != (shown.text, shown.number):
        if not wanted.text:
            board.blank()
        elif wanted.number:
            board.show_number(wanted.text)
        else:
            board.show_text(wanted.text)
    if shown is None or wanted.blink != shown.blink:
        board.blink(BLINK_HALF_PERIOD if wanted.blink else 0)


class PortWorker:
    """One serial port and the boards on it, reconciled on a thread."""

    def __init__(
        self,
        port: str,
        open_bus: Callable[[str], Bus],
        *,
        retry_max: float = 5.0,
        tick: float = 0.5,
    ) -> None:
        self.port = port
        self.open_bus = open_bus
        self.retry_max = retry_max
        self.tick = tick
        self.wanted: dict[int, Display] = {}
        self.shown: dict[int, Display] = {}
        self._bus: Bus | None = None
        self._changed = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def want(self, displays: dict[int, Display]) -> None:
        with self._changed:
            self.wanted.update(displays)
            self._changed.notify()

    def start(self) -> PortWorker:
        self._thread = threading.Thread(target=self._run, name=f"led-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._changed:
            self._stop = True
            self._changed.notify()
        if self._thread is not None:
            self._thread.join(10)
        if self._bus is not None:
            self._bus.close()

    def _run(self) -> None:
        delay = self.tick
        while True:
            with self._changed:
                if self._stop:
                    return
                if self.wanted == self.shown:
                    self._changed.wait(self.tick)
                    continue
                wanted = dict(self.wanted)
            try:
                self.sync(wanted)
            except DriverError as exc:
                log.warning("LED port %s: %s; reopening", self.port, exc)
                self._drop_bus()
            if self.shown == wanted:
                delay = self.tick
                continue
            with self._changed:
                if not self._stop:
                    self._changed.wait(delay)
            delay = min(delay * 2, self.retry_max)

    def sync(self, wanted: dict[int, Display]) -> None:
        """Bring every board on the port to ``wanted``; a silent board is retried later."""
        if self._bus is None:
            self._bus = self.open_bus(self.port)
            self.shown.clear()  # after a reopen nothing on the line is trusted
        for address, display in wanted.items():
            if self.shown.get(address) == display:
                continue
            try:
                send_display(self._bus.board(address), display, self.shown.get(address))
            except DeviceDisconnected:
                raise
            except DriverError as exc:
                log.warning("LED board %d on %s: %s", address, self.port, exc)
                self.shown.pop(address, None)
                continue
            self.shown[address] = display

    def _drop_bus(self) -> None:
        bus, self._bus = self._bus, None
        self.shown.clear()
        if bus is not None:
            bus.close()


class LedBridge:
    """Listens to the event stream and tells each port's worker what to show."""

    def __init__(
        self,
        routes: Iterable[LedRoute],
        *,
        open_bus: Callable[[str], Bus] | None = None,
        blink_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        retry_max: float = 5.0,
    ) -> None:
        self.routes = list(routes)
        self.model = BoardModel()
        self.blink_s = blink_s
        self.clock = clock
        self._blink_until: dict[int, float] = {}
        self._lock = threading.Lock()
        opener = open_bus or (lambda port: open_led_bus(port))
        self.workers = {
            port: PortWorker(port, opener, retry_max=retry_max)
            for port in dict.fromkeys(r.port for r in self.routes)
        }
        self._timer: threading.Timer | None = None

    def start(self) -> LedBridge:
        for worker in self.workers.values():
            worker.start()
        return self

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for worker in self.workers.values():
            worker.stop()

    # StreamListener -------------------------------------------------------------
    def on_snapshot(self, snapshot: dict[str, Any]) -> None:
        with self._lock:
            self.model.apply_snapshot(snapshot)
        self.refresh()

    def on_event(self, event: Event) -> None:
        with self._lock:
            call = self.model.apply(event)
            if call is not None:
                self._blink_until[call.counter] = self.clock() + self.blink_s
        self.refresh()
        if call is not None:
            self._schedule_refresh(self.blink_s)

    def on_state(self, state: LinkState) -> None:
        log.info("LED bridge link %s", state)

    # ---------------------------------------------------------------------------
    def displays(self) -> dict[str, dict[int, Display]]:
        """What each port's boards should show now."""
        now = self.clock()
        with self._lock:
            tiles = {t.number: t for t in self.model.tiles()}
            blinking = {c for c, until in self._blink_until.items() if until > now}
        plan: dict[str, dict[int, Display]] = {}
        for route in self.routes:
            plan.setdefault(route.port, {})[route.address] = display_for(
                tiles.get(route.counter), route.counter in blinking
            )
        return plan

    def refresh(self) -> None:
        for port, displays in self.displays().items():
            self.workers[port].want(displays)

    def _schedule_refresh(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(delay + 0.05, self.refresh)
        self._timer.daemon = True
        self._timer.start()
