"""Following the server's events from a device: the hall board, the LED bridge,
the rating terminal. Imports no Flask.

The stream (``GET /api/v1/events``, Server-Sent Events) is read on one thread.
Every (re)connection first reads the snapshot (``GET /api/v1/queue``) and hands
it to the listener, then streams from the last event id it saw — or from the
snapshot's ``last_event_id`` the very first time — so the listener can rebuild
its state from the snapshot and still see each call it missed exactly once.
A dropped connection is retried with capped exponential back-off. Any line from
the server (events or ``: heartbeat`` comments) counts as a sign of life; the
listener learns the link state through ``on_state``.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests

from device_kit.backoff import Backoff
from device_kit.client import ClientError, QueueClient, ServerUntrusted, Trust
from device_kit.trust import untrusted

log = logging.getLogger(__name__)

SILENCE_LIMIT = 30.0  # seconds without a heartbeat before a device shows it is offline


@dataclass(frozen=True)
class Event:
    """One server event: ``id`` is monotonic per site, ``kind`` e.g. ``ticket.called``."""

    id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class LinkState(enum.StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    OFFLINE = "offline"


HEARTBEAT = object()
"""What :class:`SseDecoder` yields for a comment line: the server is alive."""
RESYNC = object()
"""What it yields when the server says too much was missed to replay: reload the snapshot."""


class SseDecoder:
    """The text/event-stream format, line by line (no I/O): yields :class:`Event` for each
    complete message with an integer id and JSON data, :data:`HEARTBEAT` for comments and
    :data:`RESYNC` for the server's ``resync`` message."""

    def __init__(self) -> None:
        self._id: str | None = None
        self._kind = "message"
        self._data: list[str] = []

    def feed(self, line: str) -> Iterator[Event | object]:
        if line == "":
            event = self._dispatch()
            if event is not None:
                yield event
            return
        if line.startswith(":"):
            yield HEARTBEAT
            return
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            self._id = value
        elif name == "event":
            self._kind = value
        elif name == "data":
            self._data.append(value)

    def _dispatch(self) -> Event | object | None:
        raw_id, kind, data = self._id, self._kind, "\n".join(self._data)
        self._id, self._kind, self._data = None, "message", []
        if kind == "resync":
            return RESYNC
        if raw_id is None or not (raw_id.isascii() and raw_id.isdecimal()):
            return None
        try:
            payload = json.loads(data) if data else {}
        except json.JSONDecodeError:
            log.warning("event %s (%s) has data that is not JSON; skipped", raw_id, kind)
            return None
        return Event(
            int(raw_id), kind, payload if isinstance(payload, dict) else {"value": payload}
        )


def decode_lines(lines: Iterable[str]) -> Iterator[Event | object]:
    decoder = SseDecoder()
    for line in lines:
        yield from decoder.feed(line)


class StreamListener(Protocol):
    """What a device does with the stream; called on the stream's thread."""

    def on_snapshot(self, snapshot: dict[str, Any]) -> None: ...

    def on_event(self, event: Event) -> None: ...

    def on_state(self, state: LinkState) -> None: ...


@dataclass
class Liveness:
    """When the server was last heard from, on a monotonic clock, and — while it is
    refused — why (the certificate problem a screen names instead of "offline")."""

    clock: Callable[[], float] = time.monotonic
    last_heard: float | None = None
    untrusted: ServerUntrusted | None = None

    def heard(self) -> None:
        self.last_heard = self.clock()

    def silent_for(self) -> float:
        return float("inf") if self.last_heard is None else self.clock() - self.last_heard

    def is_silent(self, limit: float = SILENCE_LIMIT) -> bool:
        return self.silent_for() > limit


@dataclass(frozen=True)
class StreamConfig:
    """Where and how to follow the server."""

    server_url: str
    token: str | None = None
    site: str | None = None
    counter: int | None = None
    service: str | None = None
    #: Seconds without a byte before the connection is presumed dead (server heartbeat is 15 s).
    read_timeout: float = SILENCE_LIMIT
    connect_timeout: float = 5.0
    retry_initial: float = 0.5
    retry_max: float = 5.0
    #: The centre's CA (default: ``MOTCUA_CA_FILE``, else the system CAs).
    ca_file: Path | None = None
    #: The device's trust as its settings chose it (wins over ``ca_file``).
    trust: Trust | None = None


class EventStream:
    """Follows the server on a background thread until :meth:`stop`."""

    def __init__(
        self,
        config: StreamConfig,
        listener: StreamListener,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        liveness: Liveness | None = None,
    ) -> None:
        """``liveness``: shared with a listener that shows when the server went quiet."""
        self.config = config
        self.listener = listener
        self.trust = config.trust or Trust.from_settings(config.ca_file)
        self.session = session or self.trust.session()
        self.client = QueueClient(
            config.server_url,
            config.token,
            timeout=(config.connect_timeout, config.read_timeout),
            session=self.session,
            trust=self.trust,
        )
        self.liveness = liveness or Liveness(clock)
        self.last_event_id: int | None = None
        self.state = LinkState.CONNECTING
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._response: requests.Response | None = None

    # life cycle ------------------------------------------------------------------
    def start(self) -> EventStream:
        self._thread = threading.Thread(target=self.run, name="event-stream", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        response = self._response
        if response is not None:
            # Closing alone does not wake a read blocked on another thread until the
            # server's next byte (its heartbeat, 15 s away); shutting the socket does.
            with contextlib.suppress(ValueError, RuntimeError, OSError):
                response.raw.shutdown()
            response.close()
        if self._thread is not None:
            self._thread.join(timeout)
        self.session.close()

    @property
    def untrusted(self) -> ServerUntrusted | None:
        """Why the server is refused, while it is (shown and reported by the device)."""
        return self.liveness.untrusted

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        delays = Backoff(self.config.retry_initial, self.config.retry_max)
        while not self._stop.is_set():
            try:
                self.follow_once()
                delays.reset()
            except ServerUntrusted as exc:
                self.liveness.untrusted = exc
                log.error("event stream: %s", exc)
            except (requests.RequestException, ClientError) as exc:
                if self._stop.is_set():
                    break
                log.info("event stream lost (%s); retrying", type(exc).__name__)
            except Exception:
                if self._stop.is_set():
                    break
                log.exception("event listener failed; reconnecting")
            self._set_state(LinkState.OFFLINE)
            self._stop.wait(next(delays))

    # one connection ----------------------------------------------------------------
    def follow_once(self) -> None:
        """Resync from the snapshot, then stream until the connection ends."""
        snapshot = self.fetch_snapshot()
        self.liveness.untrusted = None
        self.liveness.heard()
        if self.last_event_id is None:
            self.last_event_id = int(snapshot.get("last_event_id") or 0)
        self.listener.on_snapshot(snapshot)
        headers = {**self._auth(), "Accept": "text/event-stream"}
        headers["Last-Event-ID"] = str(self.last_event_id)
        self.trust.check(self.config.server_url)
        try:
            response = self.session.get(
                self._url("/api/v1/events"),
                params=self._filters(),
                headers=headers,
                stream=True,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
            )
        except requests.exceptions.SSLError as exc:
            raise untrusted(exc) from exc
        with response:
            self._response = response
            try:
                response.raise_for_status()
                self._set_state(LinkState.LIVE)
                self._dispatch(response)
            finally:
                self._response = None

    def _dispatch(self, response: requests.Response) -> None:
        for item in decode_lines(self._lines(response)):
            self.liveness.heard()
            if item is RESYNC:
                self.last_event_id = None  # the next connection starts from the snapshot
                return
            if isinstance(item, Event) and item.id > (self.last_event_id or 0):
                self.last_event_id = item.id
                self.listener.on_event(item)
            if self._stop.is_set():
                return

    def fetch_snapshot(self) -> dict[str, Any]:
        params = {"site": self.config.site} if self.config.site else None
        snapshot: dict[str, Any] = self.client.request("GET", "/queue", params=params)
        return snapshot

    # helpers -----------------------------------------------------------------------
    @staticmethod
    def _lines(response: requests.Response) -> Iterator[str]:
        """Lines as they arrive (a chunked stream yields each chunk without waiting)."""
        pending = b""
        for chunk in response.iter_content(chunk_size=4096):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                yield raw.rstrip(b"\r").decode("utf-8", errors="replace")

    def _set_state(self, state: LinkState) -> None:
        if state is not self.state:
            self.state = state
            self.listener.on_state(state)

    def _url(self, path: str) -> str:
        return self.config.server_url.rstrip("/") + path

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.token}"} if self.config.token else {}

    def _filters(self) -> dict[str, Any]:
        names = ("site", "counter", "service")
        return {n: getattr(self.config, n) for n in names if getattr(self.config, n) is not None}
