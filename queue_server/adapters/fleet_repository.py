"""The device fleet's storage: devices, their configuration and health, and the
one-time pairing codes, on a session the unit of work owns.

A device is "in service" while its token is not revoked; the token itself belongs
to the accounts (``AccountRepository``), so the queries here join it only to ask that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Row, delete, insert, select, update
from sqlalchemy.orm import Session

from queue_server.adapters.tables import api_tokens, devices, pairing_codes


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """A row of ``devices``; ``config`` and ``health`` as the JSON objects they hold."""

    id: int
    site_id: int
    kind: str
    name: str
    token_id: int
    hardware: str
    config: dict[str, Any]
    config_revision: int
    health: dict[str, Any]
    paired_at: datetime
    last_seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class PendingPairing:
    """An open pairing code: what the device asked to become, and its token's digest."""

    id: int
    kind: str
    hardware: str
    token_hash: str


@dataclass(frozen=True, slots=True)
class NameHolder:
    """The device that holds a name, and whether its token was revoked."""

    device_id: int
    revoked: bool


class FleetStore(Protocol):
    """What the fleet use cases ask of storage: ``FleetRepository`` on the database,
    ``FakeFleetRepository`` in the use-case tests."""

    def open_codes(self, site_id: int, now: datetime) -> set[str]: ...

    def add_pairing_code(
        self, site_id: int, code: str, kind: str, hardware: str, token_hash: str,
        now: datetime, expires_at: datetime,
    ) -> None: ...

    def open_pairing(self, site_id: int, code: str, now: datetime) -> PendingPairing | None: ...

    def mark_paired(self, pairing_id: int, device_id: int) -> None: ...

    def name_holder(self, site_id: int, name: str) -> NameHolder | None: ...

    def remove_device(self, device_id: int) -> None: ...

    def add_device(
        self, site_id: int, kind: str, name: str, token_id: int, hardware: str,
        config: dict[str, Any], now: datetime,
    ) -> int: ...

    def device(self, site_id: int, device_id: int) -> DeviceRecord | None: ...

    def device_of_token(self, token_id: int) -> DeviceRecord | None: ...

    def devices_in_service(self, site_id: int) -> list[DeviceRecord]: ...

    def set_config(self, device_id: int, config: dict[str, Any], revision: int) -> None: ...

    def record_health(self, device_id: int, health: dict[str, Any], now: datetime) -> None: ...

    def forget_codes_expired_before(self, before: datetime) -> int: ...


def _record(row: Row[Any]) -> DeviceRecord:
    return DeviceRecord(**row._mapping)


class FleetRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # pairing codes ---------------------------------------------------------------
    def open_codes(self, site_id: int, now: datetime) -> set[str]:
        """The site's codes still waiting for a technician."""
        return set(
            self.session.execute(
                select(pairing_codes.c.code).where(
                    pairing_codes.c.site_id == site_id,
                    pairing_codes.c.device_id.is_(None),
                    pairing_codes.c.expires_at > now,
                )
            ).scalars()
        )

    def add_pairing_code(
        self, site_id: int, code: str, kind: str, hardware: str, token_hash: str,
        now: datetime, expires_at: datetime,
    ) -> None:
        self.session.execute(
            insert(pairing_codes).values(
                site_id=site_id, code=code, kind=kind, hardware=hardware,
                token_hash=token_hash, created_at=now, expires_at=expires_at,
            )
        )

    def open_pairing(self, site_id: int, code: str, now: datetime) -> PendingPairing | None:
        row = self.session.execute(
            select(
                pairing_codes.c.id, pairing_codes.c.kind, pairing_codes.c.hardware,
                pairing_codes.c.token_hash,
            ).where(
                pairing_codes.c.site_id == site_id,
                pairing_codes.c.code == code,
                pairing_codes.c.device_id.is_(None),
                pairing_codes.c.expires_at > now,
            )
        ).first()
        return None if row is None else PendingPairing(**row._mapping)

    def mark_paired(self, pairing_id: int, device_id: int) -> None:
        """Close the code: it now names the device it paired."""
        self.session.execute(
            update(pairing_codes)
            .where(pairing_codes.c.id == pairing_id)
            .values(device_id=device_id)
        )

    # devices ---------------------------------------------------------------------
    def name_holder(self, site_id: int, name: str) -> NameHolder | None:
        holder = self.session.execute(
            select(devices.c.id, api_tokens.c.revoked_at)
            .join(api_tokens, api_tokens.c.id == devices.c.token_id)
            .where(devices.c.site_id == site_id, devices.c.name == name)
        ).first()
        return None if holder is None else NameHolder(holder.id, holder.revoked_at is not None)

    def remove_device(self, device_id: int) -> None:
        """Delete a device row and the pairing codes that name it."""
        self.session.execute(delete(pairing_codes).where(pairing_codes.c.device_id == device_id))
        self.session.execute(delete(devices).where(devices.c.id == device_id))

    def add_device(
        self, site_id: int, kind: str, name: str, token_id: int, hardware: str,
        config: dict[str, Any], now: datetime,
    ) -> int:
        """A new device at configuration revision 1, nothing reported yet; returns its id."""
        result = self.session.execute(
            insert(devices).values(
                site_id=site_id, kind=kind, name=name, token_id=token_id, hardware=hardware,
                config=config, config_revision=1, health={}, paired_at=now,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[attr-defined]

    def _in_service(self, site_id: int, which: ColumnElement[bool]) -> DeviceRecord | None:
        row = self.session.execute(
            select(devices)
            .join(api_tokens, api_tokens.c.id == devices.c.token_id)
            .where(devices.c.site_id == site_id, api_tokens.c.revoked_at.is_(None), which)
        ).first()
        return None if row is None else _record(row)

    def device(self, site_id: int, device_id: int) -> DeviceRecord | None:
        """A device of the site in service (its token not revoked)."""
        return self._in_service(site_id, devices.c.id == device_id)

    def device_of_token(self, token_id: int) -> DeviceRecord | None:
        """The device a token belongs to, whatever the token's state."""
        row = self.session.execute(select(devices).where(devices.c.token_id == token_id)).first()
        return None if row is None else _record(row)

    def devices_in_service(self, site_id: int) -> list[DeviceRecord]:
        rows = self.session.execute(
            select(devices)
            .join(api_tokens, api_tokens.c.id == devices.c.token_id)
            .where(devices.c.site_id == site_id, api_tokens.c.revoked_at.is_(None))
        ).all()
        return [_record(row) for row in rows]

    def set_config(self, device_id: int, config: dict[str, Any], revision: int) -> None:
        self.session.execute(
            update(devices).where(devices.c.id == device_id)
            .values(config=config, config_revision=revision)
        )

    def record_health(self, device_id: int, health: dict[str, Any], now: datetime) -> None:
        """The device's last report and when it came."""
        self.session.execute(
            update(devices).where(devices.c.id == device_id)
            .values(last_seen_at=now, health=health)
        )

    def forget_codes_expired_before(self, before: datetime) -> int:
        """Delete pairing codes that expired before ``before``; how many went."""
        done = self.session.execute(
            delete(pairing_codes).where(pairing_codes.c.expires_at < before)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]
