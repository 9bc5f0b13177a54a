"""``FleetStore`` over dicts: devices and pairing codes in memory, with the rules of
``FleetRepository``'s queries (a device is in service while its token, kept by the
fake accounts, is not revoked; a code is open until it pairs or expires)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fake_accounts import FakeAccountRepository

from queue_server.adapters.fleet_repository import DeviceRecord, NameHolder, PendingPairing


@dataclass(frozen=True)
class Code:
    """A pairing code as stored: the request and, once paired, its device."""

    site_id: int
    code: str
    expires_at: datetime
    pending: PendingPairing
    device_id: int | None = None


class FakeFleetRepository:
    def __init__(self, accounts: FakeAccountRepository) -> None:
        self.accounts = accounts
        self.devices: dict[int, DeviceRecord] = {}
        self.codes: dict[int, Code] = {}
        self._ids = itertools.count(1)

    # pairing codes ---------------------------------------------------------------
    def _open(self, site_id: int, now: datetime) -> list[Code]:
        return [
            c for c in self.codes.values()
            if c.site_id == site_id and c.device_id is None and c.expires_at > now
        ]

    def open_codes(self, site_id: int, now: datetime) -> set[str]:
        return {c.code for c in self._open(site_id, now)}

    def add_pairing_code(
        self, site_id: int, code: str, kind: str, hardware: str, token_hash: str,
        now: datetime, expires_at: datetime,
    ) -> None:
        if any(c.pending.token_hash == token_hash for c in self.codes.values()):
            raise ValueError("pairing_codes.token_hash is unique")
        pairing_id = next(self._ids)
        pending = PendingPairing(pairing_id, kind, hardware, token_hash)
        self.codes[pairing_id] = Code(site_id, code, expires_at, pending)

    def open_pairing(self, site_id: int, code: str, now: datetime) -> PendingPairing | None:
        return next((c.pending for c in self._open(site_id, now) if c.code == code), None)

    def mark_paired(self, pairing_id: int, device_id: int) -> None:
        self.codes[pairing_id] = replace(self.codes[pairing_id], device_id=device_id)

    # devices ---------------------------------------------------------------------
    def _revoked(self, device: DeviceRecord) -> bool:
        return self.accounts.tokens[device.token_id].revoked_at is not None

    def name_holder(self, site_id: int, name: str) -> NameHolder | None:
        for device in self.devices.values():
            if device.site_id == site_id and device.name == name:
                return NameHolder(device.id, self._revoked(device))
        return None

    def remove_device(self, device_id: int) -> None:
        self.codes = {k: c for k, c in self.codes.items() if c.device_id != device_id}
        del self.devices[device_id]

    def add_device(
        self, site_id: int, kind: str, name: str, token_id: int, hardware: str,
        config: dict[str, Any], now: datetime,
    ) -> int:
        if self.name_holder(site_id, name) is not None:
            raise ValueError("uq_devices_site_name")
        device_id = next(self._ids)
        self.devices[device_id] = DeviceRecord(
            id=device_id, site_id=site_id, kind=kind, name=name, token_id=token_id,
            hardware=hardware, config=dict(config), config_revision=1, health={},
            paired_at=now, last_seen_at=None,
        )
        return device_id

    def device(self, site_id: int, device_id: int) -> DeviceRecord | None:
        found = self.devices.get(device_id)
        if found is None or found.site_id != site_id or self._revoked(found):
            return None
        return found

    def device_of_token(self, token_id: int) -> DeviceRecord | None:
        return next((d for d in self.devices.values() if d.token_id == token_id), None)

    def devices_in_service(self, site_id: int) -> list[DeviceRecord]:
        return [d for d in self.devices.values() if self.device(site_id, d.id) is not None]

    def set_config(self, device_id: int, config: dict[str, Any], revision: int) -> None:
        self.devices[device_id] = replace(
            self.devices[device_id], config=dict(config), config_revision=revision
        )

    def record_health(self, device_id: int, health: dict[str, Any], now: datetime) -> None:
        self.devices[device_id] = replace(
            self.devices[device_id], health=dict(health), last_seen_at=now
        )

    def forget_codes_expired_before(self, before: datetime) -> int:
        gone = [pairing_id for pairing_id, c in self.codes.items() if c.expires_at < before]
        for pairing_id in gone:
            del self.codes[pairing_id]
        return len(gone)
