"""The site file's ``[dossiers]`` section: connectors, field mapping, lookup limits.

``motcua-server init --site`` stores it in the database, so every server process
and the connectors read the same settings. Secrets (webhook key, upstream token)
are not in the file: it names the environment variables that hold them.
"""

from __future__ import annotations

import os
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from device_kit.contract.errors import DossierError
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.calendar import SiteHours
from queue_server.dossiers.connectors.mapping import DEFAULT_FIELDS, FieldMapping, IdHasher
from queue_server.dossiers.status import StatusMapping


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PullSection(_Strict):
    """REST pull from the one-stop system (see ``connectors/pull.py``)."""

    url: str = Field(pattern=r"^https?://")
    #: Header carrying the credential, and the environment variable holding its value.
    auth_header: str = "Authorization"
    auth_env: str = ""
    interval_s: int = Field(300, ge=5, le=86_400)
    page_size: int = Field(500, ge=1, le=5000)
    timeout_s: float = Field(10, gt=0, le=120)
    retries: int = Field(3, ge=0, le=10)
    backoff_s: float = Field(0.5, ge=0, le=60)

    def auth_value(self) -> str | None:
        return os.environ.get(self.auth_env) if self.auth_env else None


class WebhookSection(_Strict):
    """Signed pushes: HMAC-SHA256 over ``timestamp + "." + body``."""

    secret_env: str = "MOTCUA_DOSSIER_WEBHOOK_SECRET"
    tolerance_s: int = Field(300, ge=10, le=3600)

    def secret(self) -> bytes | None:
        value = os.environ.get(self.secret_env, "")
        return value.encode() if value else None


class DossierSection(_Strict):
    #: Our field -> upstream field name; defaults fit the mock one-stop system.
    fields: dict[str, str] = Field(default_factory=dict)
    #: Upstream status word -> portal code 1-10 (or its name, e.g. "PROCESSING").
    status_words: dict[str, int | str] = Field(default_factory=dict)
    #: Where results are collected when a row does not say.
    collect_at: str = ""
    #: Site working hours for due dates (8 h a working day).
    hours: str = "07:00-11:30,13:30-17:00"
    #: Public lookups allowed per client address, and per kiosk token, each minute.
    lookups_per_minute: int = Field(20, ge=1, le=10_000)
    device_lookups_per_minute: int = Field(120, ge=1, le=100_000)
    #: "Hồ sơ của tôi" (dossiers by citizen ID card) asked per kiosk each minute.
    citizen_lookups_per_minute: int = Field(10, ge=1, le=1000)
    #: SMS lookups answered per phone number each hour.
    sms_per_hour: int = Field(6, ge=1, le=1000)
    pull: PullSection | None = None
    webhook: WebhookSection | None = None

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(DEFAULT_FIELDS))
        if unknown:
            raise ValueError(f"unknown fields {unknown}; known: {sorted(DEFAULT_FIELDS)}")
        return value

    @field_validator("status_words")
    @classmethod
    def _statuses(cls, value: dict[str, int | str]) -> dict[str, int | str]:
        try:
            StatusMapping.build(value)
        except DossierError as exc:  # pydantic reports ValueErrors with the field
            raise ValueError(exc.message) from None
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        try:
            SiteHours.parse(value)
        except DossierError as exc:
            raise ValueError(exc.message) from None
        return value

    def mapping(self, hash_id: IdHasher | None = None) -> FieldMapping:
        return FieldMapping.build(self.fields, self.status_words, self.collect_at, hash_id)

    def site_hours(self) -> SiteHours:
        return SiteHours.parse(self.hours)


def save_dossier_settings(
    uow: UnitOfWork, site_id: int, section: DossierSection, now: datetime
) -> None:
    uow.dossiers.save_settings(site_id, section.model_dump(mode="json"), now)


def load_dossier_settings(uow: UnitOfWork, site_id: int) -> DossierSection:
    """The stored section, or the defaults when the site file had none."""
    config = uow.dossiers.settings(site_id)
    return DossierSection.model_validate(config) if config else DossierSection()
