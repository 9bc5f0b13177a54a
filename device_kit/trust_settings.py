"""Which server a device trusts, from its settings, so a restart keeps trusting the
server it was paired with.

Each device app takes ``--ca-file FILE`` and ``--fingerprint SHA256``, or
``MOTCUA_CA_FILE`` and ``MOTCUA_SERVER_FINGERPRINT``, and its ``pairing.json`` records
what pairing used (``ca_file``, ``fingerprint``). They are read like every device
setting (:mod:`device_kit.settings`), except that the first place that says anything
wins as a whole, so a technician's flag is never mixed with a stale half of the
pairing file. Nothing at all means the system's CAs (a public name with a publicly
trusted certificate).

- a CA file: verify against it (and, with a fingerprint too, only if it is that CA);
- a fingerprint only: the CA the server publishes, kept beside ``pairing.json`` once its
  fingerprint matched (:class:`device_kit.pinning.PinnedTrust`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from device_kit.errors import ServerUntrusted
from device_kit.pinning import PinnedTrust
from device_kit.settings import Layers, Setting, Source
from device_kit.trust import Trust, fingerprint

CA_FILE = Setting[Path | None](
    None, flag="ca_file", env="MOTCUA_CA_FILE", pairing="ca_file", parse=lambda v: Path(str(v))
)
FINGERPRINT = Setting[str | None](
    None, flag="fingerprint", env="MOTCUA_SERVER_FINGERPRINT", pairing="fingerprint", parse=str
)


@dataclass(frozen=True)
class TrustSettings:
    """The CA file and / or fingerprint a device was given, and where they came from."""

    ca_file: Path | None = None
    fingerprint: str | None = None
    source: Source = Source.DEFAULT

    @classmethod
    def from_layers(cls, layers: Layers) -> TrustSettings:
        """Flag, else environment, else pairing file, else the system CAs; never pushed."""
        source = layers.first_place(CA_FILE, FINGERPRINT)
        only = layers.only(source)
        ca_file, pinned = only.resolve(CA_FILE).value, only.resolve(FINGERPRINT).value
        return cls(Path(ca_file) if ca_file else None, pinned, source)

    @classmethod
    def resolve(
        cls,
        *,
        ca_file: Path | str | None = None,
        fingerprint: str | None = None,
        env: Mapping[str, str] = os.environ,
        pairing: Mapping[str, object] | None = None,
    ) -> TrustSettings:
        """The same from the values themselves (a flag's, the environment, a pairing file's)."""
        flags = {"ca_file": ca_file, "fingerprint": fingerprint}
        return cls.from_layers(Layers(flags, env, pairing or {}))

    @property
    def given(self) -> bool:
        return self.ca_file is not None or self.fingerprint is not None

    def trust(self, store: Path) -> Trust:
        """The trust every connection of the device uses; ``store``: where a CA pinned by
        its fingerprint is kept (``server-ca.pem`` beside ``pairing.json``)."""
        if self.ca_file is not None and self.fingerprint:
            return PinnedTrust(self.ca_file, fingerprint=self.fingerprint, fetch=False)
        if self.ca_file is not None:
            return Trust(self.ca_file)
        if self.fingerprint:
            return PinnedTrust(store, fingerprint=self.fingerprint)
        return Trust()

    def shown_fingerprint(self) -> str | None:
        """What the pairing screen shows for the technician to compare with the fleet
        page: the given fingerprint, else the CA file's; None with neither."""
        if self.fingerprint:
            return self.fingerprint
        if self.ca_file is None:
            return None
        try:
            return fingerprint(self.ca_file.read_text("ascii"))
        except (OSError, ValueError) as exc:
            raise ServerUntrusted("no_ca_file", str(self.ca_file)) from exc

    def recorded(self) -> dict[str, str]:
        """What ``pairing.json`` keeps of it, so the next start trusts the same server."""
        kept = {"ca_file": str(self.ca_file) if self.ca_file else ""}
        kept["fingerprint"] = self.fingerprint or ""
        return kept
