"""The kiosk as a member of the device fleet (issue 9): pairing, configuration, health.

A kiosk with a device token joins at start: it pulls the configuration a
technician set for it on the server (printer, paper, profile, scanners), pulls
it again when the event stream announces a change (``config.device``; the
heartbeat's revision catches one missed while the stream was down), and
reports its health on every heartbeat — at once when the printer fails during
"take a ticket", so the technician's fleet page shows it without waiting. A
kiosk without a token shows a six-digit pairing code until a technician enters
it; the token is then kept in ``pairing.json`` and used from there on.

No Kivy here: ``schedule`` hands work to the UI thread (the app passes
``Clock.schedule_once``), so everything the server sends is applied there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from device_kit.client import QueueClient
from device_kit.contract.device_wire import DeviceConfig
from device_kit.event_stream import EventStream, StreamConfig
from device_kit.first_pairing import FirstPairing, PairingView
from device_kit.fleet import DeviceAgent, FleetFeed, FleetMember
from kiosk_app.config import Hardware, KioskConfig
from kiosk_app.controller import KioskController
from kiosk_app.i18n import load_catalogue
from kiosk_app.pin_guard import PinGuard

log = logging.getLogger(__name__)

CONFIG_CACHE = "device-config.json"
ROLES = {"ticket": "kiosk-ticket", "lookup": "kiosk-lookup"}
DETAIL_MAX = 200
Schedule = Callable[[Callable[[], None]], None]


class KioskFleet:
    """Owns the device agent, the fleet membership and a pairing under way."""

    def __init__(
        self,
        config: KioskConfig,
        controller: KioskController,
        hardware: Hardware,
        *,
        schedule: Schedule,
        pin_guard: PinGuard,
    ) -> None:
        self.config = config
        self.pin_guard = pin_guard
        self.controller = controller
        self.hardware = hardware
        self.schedule = schedule
        self.agent = DeviceAgent(
            config.server_url, "kiosk", config.device, config.token, trust=config.trust()
        )
        self.member: FleetMember | None = None
        self.stream: EventStream | None = None
        self.scanners: dict[str, str] = {}  # "scanner"/"camera" -> ok | offline
        self._pairing: FirstPairing | None = None

    @property
    def paired(self) -> bool:
        return self.agent.token is not None

    @property
    def name(self) -> str | None:
        """The fleet name the technician gave this kiosk (known once its config is pulled)."""
        return self.agent.name

    @property
    def revision(self) -> int:
        return self.agent.revision

    def start(self) -> None:
        if self.paired and self.member is None:
            self.member = FleetMember(
                self.agent,
                role=ROLES.get(self.config.mode, "kiosk-ticket"),
                health=self.health,
                on_config=self._on_config,
                cache_file=self.config.data_dir / CONFIG_CACHE,
                interval=self.config.fleet_interval_s,
            ).start()
            # The kiosk has no use for the queue's events: the feed is for the member.
            config = StreamConfig(self.config.server_url, self.agent.token, trust=self.agent.trust)
            self.stream = EventStream(config, FleetFeed(self.member)).start()

    def stop(self) -> None:
        self.stop_pairing()
        self._leave()

    def _leave(self) -> None:
        if self.stream is not None:
            self.stream.stop()
            self.stream = None
        if self.member is not None:
            self.member.stop()
            self.member = None

    def report_now(self) -> None:
        """Something the technician must see at once (printer fault): heartbeat now."""
        if self.member is not None:
            self.member.report_now()

    def note_scanner(self, part: str, state: str) -> None:
        """The lookup screen's last attempt at opening a ``scanner`` or ``camera``."""
        self.scanners[part] = state

    def health(self) -> dict[str, Any]:
        """What the heartbeat carries; ``detail`` is the problem in Vietnamese, PIN
        lock-outs included."""
        printer = self.controller.state.printer
        words = load_catalogue("vi")
        problems = [] if printer in ("", "ok") else [f"Máy in: {words[f'printer.{printer}']}"]
        problems += [
            f"{words['tech.' + part]}: {words['tech.offline']}"
            for part, state in sorted(self.scanners.items())
            if state != "ok"
        ]
        guard = self.pin_guard
        if guard.lockouts:  # until a right PIN: someone has been trying PINs
            problems.append(
                words["tech.pin_lockouts"].format(failures=guard.failures, count=guard.lockouts)
            )
        return {
            "printer": printer,
            "scanner": self.scanners.get("scanner", ""),
            "camera": self.scanners.get("camera", ""),
            "detail": "; ".join(problems)[:DETAIL_MAX],
        }

    def _on_config(self, config: DeviceConfig) -> None:
        """Runs on the member's thread: the change is made on the UI thread."""
        self.schedule(lambda: self.hardware.apply(config))

    # pairing -------------------------------------------------------------------------
    def start_pairing(self, view: PairingView, done: Callable[[], None]) -> None:
        """Show the server CA's fingerprint (confirmed by the technician when the kiosk
        fetched it itself) and codes until a technician enters one, through ``view``;
        then keep and use the new token and trust, join the fleet and call ``done``."""
        self.stop_pairing()
        config = self.config
        session = self._pairing = FirstPairing(
            config.server_url, "kiosk", config.device, config.trust_settings,
            config.pin_store, view,
        )

        def run() -> None:
            paired = session.run()
            if paired is None or session.stopped.is_set():
                return
            token, trust = paired.agent.token or "", paired.trust.recorded()
            config.save_pairing(config.server_url, token, trust)
            self.schedule(lambda: self._paired(paired.agent, done))

        threading.Thread(target=run, daemon=True, name="kiosk-pairing").start()

    def confirm_fingerprint(self) -> None:
        """The technician says the fingerprint on the screen is the fleet page's."""
        if self._pairing is not None:
            self._pairing.confirm()

    def stop_pairing(self) -> None:
        if self._pairing is not None:
            self._pairing.stop()
            self._pairing = None

    def _paired(self, agent: DeviceAgent, done: Callable[[], None]) -> None:
        self._pairing = None
        self._leave()
        self.agent = agent
        old = self.controller.client
        self.controller.client = QueueClient(self.config.server_url, agent.token, trust=agent.trust)
        old.close()
        log.info("paired as %s", agent.name)
        self.start()
        done()
