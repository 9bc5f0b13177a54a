"""How a device reaches its server, the same for every app: the server's URL, the
device token, the CA it trusts, where pairing keeps them, and how often it reports.

Read through :mod:`device_kit.settings` (flag, environment, pairing file, default):
an unattended box that a technician paired once finds everything in its
``pairing.json``; a flag or variable overrides it for a test or a move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from device_kit.fleet import HEARTBEAT, save_pairing
from device_kit.pinning import PINNED_CA_FILE
from device_kit.settings import Layers, Resolved, Setting
from device_kit.trust import Trust
from device_kit.trust_settings import TrustSettings

#: The local server of a single-box centre, when nothing says otherwise.
DEFAULT_SERVER = "http://127.0.0.1:8000"
SERVER_URL = Setting(
    DEFAULT_SERVER, flag="server", env="MOTCUA_SERVER_URL", pairing="server_url", parse=str
)
TOKEN = Setting[str | None](None, flag="token", env="MOTCUA_TOKEN", pairing="token", parse=str)


@dataclass(frozen=True)
class LinkSettings:
    server_url: Resolved[str]
    token: Resolved[str | None]
    trust_settings: TrustSettings
    heartbeat_s: Resolved[float]
    #: Where pairing keeps the URL, the token and the trust (``pairing.json``).
    pairing_file: Resolved[Path]

    @classmethod
    def from_layers(cls, layers: Layers, pairing_file: Resolved[Path]) -> LinkSettings:
        """``layers`` already holding ``pairing_file``'s content."""
        return cls(
            layers.resolve(SERVER_URL),
            layers.resolve(TOKEN),
            TrustSettings.from_layers(layers),
            layers.resolve(HEARTBEAT),
            pairing_file,
        )

    @property
    def pin_store(self) -> Path:
        """Where a CA pinned by its fingerprint is kept: beside ``pairing.json``."""
        return self.pairing_file.value.parent / PINNED_CA_FILE

    def trust(self) -> Trust:
        return self.trust_settings.trust(self.pin_store)

    def save_pairing(
        self, server_url: str, token: str, trust: Mapping[str, str] | None = None
    ) -> None:
        """Keep a new token (and the trust pairing used); other entries stay."""
        save_pairing(self.pairing_file.value, server_url, token, trust)

    def report(self) -> dict[str, Resolved[object]]:
        """Each setting and where it came from (the technician's ``--show-settings``)."""
        trust = self.trust_settings
        return {
            "server_url": self.server_url,
            "token": self.token,
            "ca_file": Resolved(trust.ca_file, trust.source),
            "fingerprint": Resolved(trust.fingerprint, trust.source),
            "heartbeat_s": self.heartbeat_s,
            "pairing_file": self.pairing_file,
        }
