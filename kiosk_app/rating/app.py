"""The rating terminal app: wiring of the flow, the screen, the server and the keypad.

``motcua-kiosk --mode rating`` calls :func:`run` with the kiosk's configuration
(server URL and token from ``--server``/``--token``, the environment or pairing).
The terminal's token is a ``rating`` device token paired to one counter; the
server tells which (``GET /ratings/desk``). Rating-only settings come from the
environment: ``MOTCUA_RATING_KEYPAD`` (``PORT:ADDRESS`` of the counter keypad
whose rating keys answer too) and ``MOTCUA_RATING_TRACE`` (a JSONL file of what
each drawn frame shows, for tests and benchmarks).

With a token the terminal is a member of the device fleet (role ``rating``): it
reports its health, and when a technician moves it to another counter (the server
rebinds its token) it re-reads its desk and serves the new counter at once. It
follows the whole floor's events and keeps those of its counter, so a move
needs no new connection.

Started with no token at all, it asks the server for a pairing code and shows it
until a technician enters it (choosing the counter); it then stores the token in
the kiosk's ``pairing.json`` and becomes the rating terminal without a restart.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from device_kit.backoff import Backoff
from device_kit.client import ClientError, QueueClient, ServerError, ServerUntrusted
from device_kit.contract.device_wire import DeviceConfig
from device_kit.contract.events import EventKind
from device_kit.contract.rating_levels import QuickLevel
from device_kit.event_stream import Event, EventStream, LinkState, StreamConfig
from device_kit.first_pairing import FirstPairing
from device_kit.fleet import DeviceAgent, FleetMember
from device_kit.pinning import PINNED_CA_FILE
from device_kit.settings import Layers, Setting
from device_kit.trust_settings import TrustSettings
from kiosk_app.rating.flow import RatingFlow, Submission

log = logging.getLogger(__name__)

KEY_LEVELS = {
    "VERY_SATISFIED": QuickLevel.VERY_SATISFIED,
    "SATISFIED": QuickLevel.SATISFIED,
    "NOT_SATISFIED": QuickLevel.NOT_SATISFIED,
}
UNREACHABLE_VI = "Chưa gửi được đánh giá do mất kết nối. Xin cảm ơn Ông/Bà."
UNREACHABLE_EN = "The rating could not be sent (no connection). Thank you."


def keypad_spec(given: object) -> tuple[str, int]:
    """``PORT:ADDRESS`` of a counter keypad."""
    port, _, address = str(given).rpartition(":")
    return port, int(address)


KEYPAD = Setting[tuple[str, int] | None](None, env="MOTCUA_RATING_KEYPAD", parse=keypad_spec)
TRACE = Setting[Path | None](None, env="MOTCUA_RATING_TRACE", parse=lambda v: Path(str(v)))


@dataclass(frozen=True)
class RatingOptions:
    keypad: tuple[str, int] | None = None
    trace: Path | None = None
    #: Where the fleet configuration is cached (the kiosk's data directory).
    data_dir: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> RatingOptions:
        layers = Layers(env=env)
        return cls(layers.resolve(KEYPAD).value, layers.resolve(TRACE).value)


def desk_with_retry(
    client: QueueClient,
    stop: threading.Event,
    on_untrusted: Callable[[ServerUntrusted], None] = lambda _problem: None,
) -> dict[str, Any] | None:
    """The paired counter and its officer; waits for the server to be reachable (and
    says why it is refused, while it is)."""
    delays = Backoff(0.5, 5.0)
    while not stop.is_set():
        try:
            desk: dict[str, Any] = client.request("GET", "/ratings/desk")
            return desk
        except ServerError:
            raise
        except ClientError as exc:
            if isinstance(exc, ServerUntrusted):
                on_untrusted(exc)
            stop.wait(next(delays))
    return None


class RatingTerminal:
    """Everything but Kivy: flow, desk, server calls; the app redraws on ``on_change``."""

    def __init__(
        self,
        server_url: str,
        token: str | None,
        on_change: Any,
        *,
        save_pairing: Callable[[str, str, Mapping[str, str]], None],
        data_dir: Path | None = None,
        health: Callable[[], dict[str, Any]] = dict,
        trust: TrustSettings | None = None,
    ) -> None:
        """``health``: the parts the app knows of (the keypad), for each heartbeat;
        ``save_pairing``: keeps the server URL, the token and the trust pairing gave;
        ``trust``: the CA file or fingerprint from the settings (the kiosk's)."""
        self.trust_settings = trust or TrustSettings()
        self.pin_store = (data_dir or Path.cwd()) / PINNED_CA_FILE
        self.trust = self.trust_settings.trust(self.pin_store)
        self.client = QueueClient(server_url, token, trust=self.trust)
        self.server_url, self.token = server_url, token
        self.on_change = on_change
        self.save_pairing = save_pairing
        self.flow = RatingFlow(counter=0)
        self.desk: dict[str, Any] = {}
        self.link = LinkState.CONNECTING
        self.stream: EventStream | None = None
        self.member: FleetMember | None = None
        #: The code on the pairing screen ("" until the server gave one).
        self.pairing_code = ""
        #: The CA fingerprint on the pairing screen, and whether it waits for a yes.
        self.pairing_fingerprint = ""
        self.pairing_confirm = False
        #: Why the server is refused, while it is (pairing, desk or stream).
        self.untrusted: ServerUntrusted | None = None
        self.pairing: FirstPairing | None = None
        self._health = health
        self._cache_file = data_dir / "rating.config.json" if data_dir else None
        if token:
            self._join(DeviceAgent(server_url, "rating", token=token, trust=self.trust))
        self._stop = threading.Event()
        self._lock = threading.RLock()

    @property
    def paired(self) -> bool:
        return bool(self.token)

    def start(self) -> None:
        threading.Thread(target=self._run, name="rating-desk", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self.pairing is not None:
            self.pairing.stop()
        if self.member is not None:
            self.member.stop()
        if self.stream is not None:
            self.stream.stop()

    def _run(self) -> None:
        if self.paired or self._pair():
            self._connect()

    def _join(self, agent: DeviceAgent) -> None:
        self.member = FleetMember(
            agent,
            role="rating",
            health=self._health,
            on_config=self._on_config,
            cache_file=self._cache_file,
        )

    def _pair(self) -> bool:
        """The server's CA shown (and confirmed), codes until a technician enters one;
        keep the token and the trust, and use them."""
        self.pairing = FirstPairing(
            self.server_url, "rating", socket.gethostname(), self.trust_settings,
            self.pin_store, self,
        )
        paired = self.pairing.run()
        if paired is None or paired.agent.token is None:
            return False
        agent, token = paired.agent, paired.agent.token
        self.save_pairing(self.server_url, token, paired.trust.recorded())
        log.warning("paired as %s", agent.name)
        self.trust_settings, self.trust = paired.trust, agent.trust
        self.client.close()
        self.client = QueueClient(self.server_url, token, trust=self.trust)
        self._join(agent)
        self.token = token
        self.on_change()
        return True

    def confirm_fingerprint(self) -> None:
        """UI thread: the technician says the CA on the screen is the fleet page's."""
        self.pairing_confirm = False
        if self.pairing is not None:
            self.pairing.confirm()
        self.on_change()

    # PairingView (pairing thread) ---------------------------------------------------
    def show_fingerprint(self, fingerprint: str, confirm: bool) -> None:
        self.pairing_fingerprint, self.pairing_confirm = fingerprint, confirm
        self.on_change()

    def show_code(self, code: str) -> None:
        self.pairing_code = code
        self.on_change()

    def show_problem(self, problem: ServerUntrusted | None) -> None:
        self.untrusted = problem
        self.on_change()

    def _connect(self) -> None:
        try:
            desk = desk_with_retry(self.client, self._stop, self.show_problem)
        except ServerError as refused:
            # Paired without a counter (or the token was revoked): say so on the screen
            # instead of an empty one, and stay in the fleet, so the counter a technician
            # sets on the fleet page applies at once (``_on_config``).
            log.warning("rating desk refused: %s", refused)
            desk = {"counter": 0, "counter_name": refused.message_vi, "officer": refused.message}
        if desk is None:
            return
        self.untrusted = None
        with self._lock:
            self.desk = desk
            self.flow.counter = int(desk["counter"])
        self.on_change()
        if self.member is not None:
            self.member.start()
        config = StreamConfig(self.server_url, self.token, trust=self.trust)
        self.stream = EventStream(config, self).start()

    def _on_config(self, config: DeviceConfig) -> None:
        """Fleet thread: moved to another counter (the token is rebound already)."""
        counter = config.counter
        if counter is not None and counter != self.flow.counter:
            self._refresh_desk()

    # StreamListener (stream thread) -----------------------------------------------
    def on_snapshot(self, snapshot: dict[str, Any]) -> None:
        self._refresh_desk()

    def on_event(self, event: Event) -> None:
        if self.member is not None:
            self.member.on_event(event.kind, event.data)
        signed_in_here = event.data.get("counter") == self.flow.counter
        if event.kind == EventKind.COUNTER_SIGNED_IN and signed_in_here:
            self._refresh_desk()
        with self._lock:
            self.flow.on_event(event, time.monotonic())
        self.on_change()

    def on_state(self, state: LinkState) -> None:
        self.link = state
        if self.stream is not None:
            self.untrusted = self.stream.untrusted
        self.on_change()

    def _refresh_desk(self) -> None:
        try:
            desk = self.client.request("GET", "/ratings/desk")
        except ClientError as exc:
            log.warning("rating desk not read: %s", exc)
            return
        with self._lock:
            self.desk = desk
            self.flow.move_to(int(desk["counter"]))
        self.on_change()

    # inputs (UI thread) -------------------------------------------------------------
    def face(self, level: QuickLevel, *, from_keypad: bool = False) -> None:
        with self._lock:
            submission = self.flow.choose(level, time.monotonic(), with_reasons=not from_keypad)
        self._submit(submission)

    def reason(self, code: str) -> None:
        with self._lock:
            self.flow.toggle_reason(code, time.monotonic())
        self.on_change()

    def confirm(self) -> None:
        with self._lock:
            submission = self.flow.confirm_reasons()
        self._submit(submission)

    def tick(self) -> None:
        with self._lock:
            before = (self.flow.step, self.flow.seconds_left(time.monotonic()))
            submission = self.flow.tick(time.monotonic())
            after = (self.flow.step, self.flow.seconds_left(time.monotonic()))
        if submission is not None:
            self._submit(submission)
        elif before != after:
            self.on_change()

    def _submit(self, submission: Submission | None) -> None:
        self.on_change()
        if submission is not None:
            threading.Thread(target=self._send, args=(submission,), daemon=True).start()

    def _send(self, submission: Submission) -> None:
        body = {
            "ticket_id": submission.ticket_id,
            "level": submission.level.value,
            "reasons": list(submission.reasons),
        }
        try:
            self.client.request("POST", "/ratings", json=body)
        except ServerError as exc:
            with self._lock:
                self.flow.refused(exc.message_vi, exc.message, time.monotonic())
        except ClientError:
            with self._lock:
                self.flow.refused(UNREACHABLE_VI, UNREACHABLE_EN, time.monotonic())
        else:
            with self._lock:
                self.flow.sent(time.monotonic())
        self.on_change()

    def trace_state(self) -> dict[str, Any]:
        """What the screen shows, for the trace file."""
        with self._lock:
            return {
                "step": str(self.flow.step) if self.paired else "pairing",
                "pairing_code": self.pairing_code,
                "ticket_id": self.flow.ticket_id,
                "ticket_number": self.flow.ticket_number,
                "officer": self.desk.get("officer"),
                "counter": self.desk.get("counter"),
                "message_vi": self.flow.message_vi,
                "offline": self.link is LinkState.OFFLINE,
                "fingerprint": self.pairing_fingerprint,
                "confirm": self.pairing_confirm,
                "untrusted": self.untrusted.problem if self.untrusted else "",
            }
