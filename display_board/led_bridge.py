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

from device_kit.backoff import Backoff
from device_kit.event_stream import Event, LinkState
from display_board.board_state import BoardModel, CounterTile
from drivers.errors import DeviceDisconnected, DriverError
from drivers.led import open_led_bus
from drivers.serial_frame import MAX_ADDRESS

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
        if not 0 <= int(address) <= MAX_ADDRESS:  # 0: every board on the port
            raise ValueError(f"a board's address is 0..{MAX_ADDRESS}, got {text!r}")
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
    """One serial port and the boards on it, reconciled on a thread.

    ``connected`` is None until the port was first needed, then whether it is open;
    ``on_link`` hears each change of it (the fleet reports a vanished port at once).
    """

    def __init__(
        self,
        port: str,
        open_bus: Callable[[str], Bus],
        *,
        retry_max: float = 5.0,
        tick: float = 0.5,
        on_link: Callable[[], None] = lambda: None,
    ) -> None:
        self.port = port
        self.open_bus = open_bus
        self.retry_max = retry_max
        self.tick = tick
        self.on_link = on_link
        self.wanted: dict[int, Display] = {}
        self.shown: dict[int, Display] = {}
        self.connected: bool | None = None
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
        delays = Backoff(self.tick, self.retry_max)
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
                self._set_connected(False)
            if self.shown == wanted:
                delays.reset()
                continue
            with self._changed:
                if not self._stop:
                    self._changed.wait(next(delays))

    def sync(self, wanted: dict[int, Display]) -> None:
        """Bring every board on the port to ``wanted``; a silent board is retried later."""
        if self._bus is None:
            self._bus = self.open_bus(self.port)
            self.shown.clear()  # after a reopen nothing on the line is trusted
            self._set_connected(True)
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

    def _set_connected(self, connected: bool) -> None:
        if connected is not self.connected:
            self.connected = connected
            self.on_link()


class LedBridge:
    """Listens to the event stream and tells each port's worker what to show.

    The routes can change while it runs (:meth:`reroute`, a technician's new map):
    ports no longer used are let go, new ones opened, and every board shows its
    counter's current state at once; a board taken off the map is blanked.
    """

    def __init__(
        self,
        routes: Iterable[LedRoute],
        *,
        open_bus: Callable[[str], Bus] | None = None,
        blink_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        retry_max: float = 5.0,
        on_link: Callable[[], None] = lambda: None,
    ) -> None:
        """``on_link``: a port was opened or lost (called on that port's thread)."""
        self.routes: list[LedRoute] = []
        self.model = BoardModel()
        self.blink_s = blink_s
        self.clock = clock
        self.retry_max = retry_max
        self.on_link = on_link
        self.workers: dict[str, PortWorker] = {}
        self._open_bus = open_bus or (lambda port: open_led_bus(port))
        self._blink_until: dict[int, float] = {}
        self._lock = threading.RLock()
        self._started = False
        self._timer: threading.Timer | None = None
        self.reroute(routes)

    def start(self) -> LedBridge:
        with self._lock:
            self._started = True
            for worker in self.workers.values():
                worker.start()
        return self

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._started = False
            workers = list(self.workers.values())
        for worker in workers:
            worker.stop()

    def reroute(self, routes: Iterable[LedRoute]) -> None:
        """Follow a new map without a restart."""
        routes = list(routes)
        with self._lock:
            before = {(r.port, r.address) for r in self.routes}
            ports = dict.fromkeys(r.port for r in routes)
            gone = [w for port, w in self.workers.items() if port not in ports]
            self.workers = {port: self.workers.get(port) or self._worker(port) for port in ports}
            self.routes = routes
            dropped = before - {(r.port, r.address) for r in routes}
            for port, address in dropped:
                if port in self.workers:
                    self.workers[port].want({address: Display()})
            self.refresh()
        for worker in gone:
            worker.stop()
        if gone:
            self.on_link()

    def _worker(self, port: str) -> PortWorker:
        worker = PortWorker(
            port, self._open_bus, retry_max=self.retry_max, on_link=lambda: self.on_link()
        )
        return worker.start() if self._started else worker

    def missing_ports(self) -> list[str]:
        """Ports that were needed and could not be opened or were lost."""
        with self._lock:
            return [port for port, w in self.workers.items() if w.connected is False]

    def health(self) -> dict[str, str]:
        """For the fleet: ``serial`` ok or offline, and which port is missing."""
        if not self.routes:
            return {"serial": "", "detail": "Chưa có bản đồ bảng LED / no LED map"}
        missing = self.missing_ports()
        if missing:
            detail = f"Mất cổng LED / LED port missing: {', '.join(missing)}"
            return {"serial": "offline", "detail": detail[:200]}
        return {"serial": "ok", "detail": ""}

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
        with self._lock:
            for port, displays in self.displays().items():
                self.workers[port].want(displays)

    def _schedule_refresh(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(delay + 0.05, self.refresh)
        self._timer.daemon = True
        self._timer.start()
