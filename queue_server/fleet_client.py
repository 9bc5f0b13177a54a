"""What a kiosk, board, rating terminal or LED bridge runs to join the fleet: ask for
a pairing code to show, wait for the technician, then pull its configuration (again
whenever the event stream says it changed) and report its health.

Like :mod:`queue_server.client`, this needs only ``requests`` on the device.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from queue_server.client import QueueClient, ServerError

HEARTBEAT_S = 30


class DeviceAgent:
    """One device's side of pairing, configuration and heartbeats.

    ``token`` is the device's own secret: made here when pairing starts, kept by
    the device (e.g. in its pairing file) and used as its bearer token once paired.
    """

    def __init__(self, base_url: str, kind: str, hardware: str = "", token: str | None = None):
        self.base_url = base_url
        self.kind = kind
        self.hardware = hardware
        self.token = token
        self.name: str | None = None
        self.revision = 0

    def request_code(self) -> str:
        """A fresh secret and the six-digit code to show the technician."""
        self.token = secrets.token_urlsafe(32)
        digest = hashlib.sha256(self.token.encode()).hexdigest()
        with QueueClient(self.base_url) as anonymous:
            answer = anonymous.request(
                "POST", "/pairing",
                json={"kind": self.kind, "hardware": self.hardware, "token_hash": digest},
            )
        return str(answer["code"])

    def config(self) -> dict[str, Any] | None:
        """The device's configuration, or None while it is not paired yet."""
        with QueueClient(self.base_url, self.token) as client:
            try:
                mine = client.request("GET", "/devices/me")
            except ServerError as exc:
                if exc.status == 401:
                    return None
                raise
        self.name, self.revision = mine["name"], int(mine["revision"])
        return dict(mine["config"])

    def on_event(self, kind: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """The new configuration when a stream event announces one for this device."""
        if kind != "config.device" or data.get("device") != self.name:
            return None
        if int(data.get("revision", 0)) <= self.revision:
            return None
        return self.config()

    def heartbeat(self, **health: Any) -> None:
        with QueueClient(self.base_url, self.token) as client:
            client.request("POST", "/devices/me/heartbeat", json=health)
