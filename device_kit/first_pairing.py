"""Pairing, trust first: which server will get the device's secret is settled — and shown
to the technician — before a pairing code is asked for.

- ``http://`` to this box itself: nothing to show (any other ``http://`` is refused,
  and the refusal is shown).
- a CA file or a fingerprint from the device's settings: its fingerprint is shown, for
  the technician to compare with the fleet page; the device itself refuses a server
  whose CA is another.
- nothing given, ``https://``: the device fetches the CA the server publishes, shows
  *its* fingerprint and waits until the technician confirms it (button or Enter) before
  pinning it and sending anything (:mod:`device_kit.pinning`).

Then codes, until a technician enters one (:func:`device_kit.fleet.pair`). No Kivy:
the hall board, the rating terminal, the kiosk and the console ``motcua-board pair``
each draw the :class:`PairingView` calls their own way; the calls come on the pairing
thread.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from device_kit.errors import ClientError, ServerUntrusted
from device_kit.fleet import DeviceAgent, pair
from device_kit.pinning import pin_ca, server_ca_fingerprint
from device_kit.settings import Source
from device_kit.trust_settings import TrustSettings

log = logging.getLogger(__name__)


class PairingView(Protocol):
    def show_fingerprint(self, fingerprint: str, confirm: bool) -> None:
        """The CA the device will trust; ``confirm``: it waits for the technician's yes."""

    def show_code(self, code: str) -> None: ...

    def show_problem(self, problem: ServerUntrusted | None) -> None:
        """Why the server is refused (None: no problem any more)."""


@dataclass(frozen=True)
class Paired:
    agent: DeviceAgent
    #: What to record in ``pairing.json`` (:meth:`TrustSettings.recorded`).
    trust: TrustSettings


class FirstPairing:
    """One pairing under way; :meth:`run` on a worker thread, :meth:`confirm` and
    :meth:`stop` from the UI."""

    def __init__(
        self,
        server_url: str,
        kind: str,
        hardware: str,
        settings: TrustSettings,
        store: Path,
        view: PairingView,
        *,
        poll_s: float = 2.0,
    ) -> None:
        """``store``: where a CA pinned by its fingerprint is kept (beside pairing.json)."""
        self.server_url = server_url
        self.kind = kind
        self.hardware = hardware
        self.settings = settings
        self.store = store
        self.view = view
        self.poll_s = poll_s
        self.stopped = threading.Event()
        self._confirmed = threading.Event()
        #: The fingerprint waiting for the technician's yes ("" when none is).
        self.awaiting = ""

    def confirm(self) -> None:
        """The technician says the fingerprint on the screen is the fleet page's."""
        if self.awaiting:
            self._confirmed.set()

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> Paired | None:
        """The paired agent and the trust it used, or None when stopped first."""
        settings = self._settle_trust()
        if settings is None:
            return None
        agent = DeviceAgent(
            self.server_url, self.kind, self.hardware, trust=settings.trust(self.store)
        )
        config = pair(
            agent, self.view.show_code, self.stopped, self.poll_s, on_problem=self.view.show_problem
        )
        if config is None or agent.token is None:
            return None
        return Paired(agent, settings)

    def _settle_trust(self) -> TrustSettings | None:
        if urlsplit(self.server_url).scheme != "https":
            return self.settings  # loopback passes; other http is refused by pair()
        while not self.stopped.is_set():
            try:
                if self.settings.given:
                    shown = self.settings.shown_fingerprint()
                    assert shown is not None
                    self.view.show_fingerprint(shown, False)
                    return self.settings
                return self._confirmed_pin()
            except ServerUntrusted as exc:
                log.error("pairing: %s", exc)
                self.view.show_problem(exc)
            except ClientError as exc:
                log.info("pairing: no CA from the server yet (%s)", exc)
            self.stopped.wait(self.poll_s)
        return None

    def _confirmed_pin(self) -> TrustSettings | None:
        """Show the fingerprint of the CA the server sends; pin it once confirmed."""
        seen = server_ca_fingerprint(self.server_url)
        self.view.show_problem(None)
        self._confirmed.clear()
        self.awaiting = seen
        self.view.show_fingerprint(seen, True)
        while not self._confirmed.wait(0.2):
            if self.stopped.is_set():
                return None
        self.awaiting = ""
        pin_ca(self.server_url, seen, self.store)  # the same CA, or it is refused
        log.warning("pairing: CA %s confirmed by the technician and pinned", seen)
        return replace(self.settings, fingerprint=seen, source=Source.CONFIRMED)
