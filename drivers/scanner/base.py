"""One stream of scans, whatever device read them.

Every scanner (camera, serial, keyboard wedge) turns what it read into a
:class:`Scan` and hands it to :class:`ScanStream`, which drops repeats (a camera
sees the same QR in thirty frames a second, a visitor presses the trigger twice)
and delivers the rest to a callback or to a bounded queue the caller reads.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from drivers.errors import DriverError

log = logging.getLogger(__name__)

Clock = Callable[[], float]
ScanCallback = Callable[["Scan"], None]
#: Hears the device failing (its error) and, from a source that reopens it by itself,
#: working again (None): a kiosk's heartbeat follows both.
ErrorCallback = Callable[[DriverError | None], None]

DUPLICATE_WINDOW_S = 2.0


@dataclass(frozen=True, slots=True)
class Scan:
    """A payload read by one source at one time (seconds of the source's clock)."""

    payload: str
    source: str
    time: float

    def __repr__(self) -> str:
        # Payloads may carry a citizen ID number: keep them out of logs and tracebacks.
        return f"Scan(source={self.source!r}, time={self.time:.3f}, length={len(self.payload)})"


class DuplicateFilter:
    """Lets a (source, payload) pair through at most once per ``window`` seconds.

    The window restarts at each sighting, so a code held in front of the camera
    is delivered once, not once every two seconds.
    """

    def __init__(self, window: float = DUPLICATE_WINDOW_S) -> None:
        self.window = window
        self._last_seen: dict[tuple[str, str], float] = {}

    def admit(self, scan: Scan) -> bool:
        key = (scan.source, scan.payload)
        last = self._last_seen.get(key)
        self._last_seen[key] = scan.time
        self._forget_older_than(scan.time - self.window)
        return last is None or scan.time - last >= self.window

    def _forget_older_than(self, horizon: float) -> None:
        stale = [key for key, seen in self._last_seen.items() if seen < horizon]
        for key in stale:
            del self._last_seen[key]


@runtime_checkable
class ScanSource(Protocol):
    """What the kiosk needs from any scanner."""

    source: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def read(self, timeout: float | None = None) -> Scan | None: ...

    def __iter__(self) -> Iterator[Scan]: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ScanStream:
    """Delivery shared by every source: duplicate filter, then callback or queue.

    With ``on_scan`` each admitted scan is passed to it on the reading thread
    (a Kivy app hops to its own thread with ``Clock.schedule_once``);
    without it scans wait in a bounded queue for :meth:`read` (the oldest is
    dropped when the reader falls behind, so a stalled kiosk never fills memory).
    A device failure recorded with :meth:`fail` is raised by the next
    :meth:`read` once the queued scans are consumed, and passed to ``on_error``.
    Subclasses open and close their device and call ``super().close()``, which
    ends iteration.
    """

    def __init__(
        self,
        source: str,
        on_scan: ScanCallback | None = None,
        *,
        on_error: ErrorCallback | None = None,
        clock: Clock = time.monotonic,
        duplicate_window: float = DUPLICATE_WINDOW_S,
        max_queued: int = 32,
    ) -> None:
        self.source = source
        self.clock = clock
        self._on_scan = on_scan
        self._on_error = on_error
        self._filter = DuplicateFilter(duplicate_window)
        self._filter_lock = threading.Lock()
        self._max_queued = max_queued
        self._queue: queue.Queue[Scan | DriverError | None] = queue.Queue(max_queued)
        self.error: DriverError | None = None
        self.closed = True

    def open(self) -> None:
        """Start reading afresh; a bare stream has no device to open."""
        self._queue = queue.Queue(self._max_queued)
        self.error = None
        self.closed = False

    def close(self) -> None:
        """Stop reading and wake any reader blocked in :meth:`read`."""
        self.closed = True
        self._put(None)

    def __enter__(self) -> Self:
        if self.closed:  # open_scanner() hands it over already open
            self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def deliver(self, payload: str, at: float | None = None) -> Scan | None:
        """Offer a payload read now (or at ``at``); return the Scan if it was delivered."""
        scan = Scan(payload, self.source, self.clock() if at is None else at)
        with self._filter_lock:
            if not self._filter.admit(scan):
                return None
        log.info("scan from %s, %d characters", self.source, len(payload))
        if self._on_scan is not None:
            try:
                self._on_scan(scan)
            except Exception:  # a faulty consumer must not stop the reading thread
                log.exception("scan callback failed")
        else:
            self._put(scan)
        return scan

    def report(self, error: DriverError) -> None:
        """Tell ``on_error`` the device is failing while the source tries to recover."""
        self.error = error
        self._tell(error)

    def recovered(self) -> None:
        """The device works again after :meth:`report`: ``on_error`` hears None."""
        self.error = None
        self._tell(None)

    def _tell(self, error: DriverError | None) -> None:
        if self._on_error is not None:
            try:
                self._on_error(error)
            except Exception:
                log.exception("error callback failed")

    def fail(self, error: DriverError) -> None:
        """Record that the device stopped for good; readers and ``on_error`` see ``error``."""
        self.report(error)
        self._put(error)

    def read(self, timeout: float | None = None) -> Scan | None:
        """Next scan, or None after ``timeout`` seconds or once closed.

        Raises the device's failure (again on every later call).
        """
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is None or isinstance(item, DriverError):
            self._put(item)  # every later reader sees the end too
            if item is not None:
                raise item
        return item

    def __iter__(self) -> Iterator[Scan]:
        """Scans as they arrive, until closed; raises the device's failure."""
        while (scan := self.read()) is not None:
            yield scan

    def _put(self, item: Scan | DriverError | None) -> None:
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    pass
