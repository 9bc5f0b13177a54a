"""The site file (TOML): a centre's services and counters, loaded idempotently.

Loading the same file twice changes nothing; loading an edited file updates
services and counters by their code / number and never deletes tickets.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    ValidationError,
    field_validator,
)

from device_kit.contract.device_wire import AnnouncementMode, AnnouncementVariant
from device_kit.contract.events import EventKind
from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import InvalidConfiguration
from queue_server.queueing.hours import OpeningHours
from queue_server.queueing.model import Counter, PriorityPolicy, Service, Site
from queue_server.services.dossier_settings import DossierSection, save_dossier_settings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SiteSection(_Strict):
    code: str = Field("default", pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name_vi: str
    name_en: str = ""
    hotline: str = ""
    timezone: str = DEFAULT_ZONE
    max_recalls: int = Field(3, ge=0, le=10)
    ticker_vi: str = ""
    ticker_en: str = ""
    announcement_mode: AnnouncementMode = "digits"
    announcement_variant: AnnouncementVariant = "north"


class ServiceSection(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    name_vi: str
    name_en: str = ""
    hours: str = OpeningHours.ALWAYS_SPEC
    daily_limit: int | None = Field(None, ge=1, le=9999)
    priority_policy: PriorityPolicy = PriorityPolicy.STRICT
    interleave_every: int = Field(3, ge=1, le=50)
    default_service_s: int = Field(300, ge=10, le=7200)
    active: bool = True
    #: Appointments: bookings per slot (0 takes none), slot minutes, days bookable ahead.
    appointment_capacity: int = Field(0, ge=0, le=500)
    slot_minutes: int = Field(30, ge=5, le=240)
    booking_days_ahead: int = Field(14, ge=0, le=120)

    @field_validator("hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        OpeningHours.parse(value)
        return value


class CounterSection(_Strict):
    number: int = Field(ge=1, le=999)
    name: str = ""
    services: list[str] = Field(min_length=1)


class NetworkSection(_Strict):
    """Read by deploy/nginx/policy.py for the proxy's allow-lists; checked here."""

    staff_networks: list[IPvAnyNetwork] = Field(default_factory=list)
    device_networks: list[IPvAnyNetwork] = Field(default_factory=list)
    hsts_names: list[str] = Field(default_factory=list)


class SiteFile(_Strict):
    site: SiteSection
    services: list[ServiceSection] = Field(min_length=1)
    counters: list[CounterSection] = Field(default_factory=list)
    #: Dossier mirror: connectors, field mapping, lookup limits (optional).
    dossiers: DossierSection | None = None
    network: NetworkSection | None = None


def parse_site_file(path: Path) -> SiteFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return SiteFile.model_validate(data)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidConfiguration(
            f"{path} is not a valid TOML file: {exc}", f"Tệp {path} không đúng định dạng TOML."
        ) from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise InvalidConfiguration(
            f"{path}: {problems}", f"Tệp cấu hình {path} có lỗi: {problems}"
        ) from exc


def apply_site_file(uow: UnitOfWork, config: SiteFile, actor: str, now: datetime) -> Site:
    """Create or update the site, its services and counters, in one transaction."""
    codes = [s.code for s in config.services]
    prefixes = [s.prefix for s in config.services]
    for label, values in (("service code", codes), ("ticket prefix", prefixes)):
        if len(set(values)) != len(values):
            raise InvalidConfiguration(
                f"Each {label} must be unique.", f"Mỗi {_VI[label]} phải là duy nhất."
            )
    site = uow.repo.site(config.site.code)
    if site is None:
        site = Site(**config.site.model_dump())
        uow.repo.add(site)
    else:
        _assign(site, config.site.model_dump())
    by_code = {
        section.code: upsert_service(uow, site.id or 0, section) for section in config.services
    }
    for section in config.counters:
        upsert_counter(uow, site.id or 0, section, by_code)
    if config.dossiers is not None:
        save_dossier_settings(uow, site.id or 0, config.dossiers, now)
    uow.record(
        site_id=site.id,
        kind=EventKind.CONFIG_CHANGED,
        actor=actor,
        at=now,
        payload={"services": codes, "counters": [c.number for c in config.counters]},
    )
    return site


def upsert_service(uow: UnitOfWork, site_id: int, section: ServiceSection) -> Service:
    """Create the service or update the one with the same code."""
    values = section.model_dump()
    values["hours_spec"] = values.pop("hours")
    service = next((s for s in uow.repo.services(site_id) if s.code == section.code), None)
    if service is None:
        service = Service(site_id=site_id, **values)
        uow.repo.add(service)
    else:
        _assign(service, values)
    return service


def upsert_counter(
    uow: UnitOfWork, site_id: int, section: CounterSection, services: dict[str, Service]
) -> Counter:
    """Create the counter or update the one with the same number, with its services."""
    unknown = [code for code in section.services if code not in services]
    if unknown:
        raise InvalidConfiguration(
            f"Counter {section.number} serves unknown services: {', '.join(unknown)}",
            f"Quầy {section.number} gắn với dịch vụ không tồn tại: {', '.join(unknown)}",
        )
    counter = uow.repo.find_counter(site_id, section.number)
    name = section.name or f"Quầy {section.number}"
    if counter is None:
        counter = Counter(site_id=site_id, number=section.number, name=name)
        uow.repo.add(counter)
    else:
        counter.name = name
    uow.repo.set_counter_services(counter.id or 0, [services[c].id or 0 for c in section.services])
    return counter


_VI = {"service code": "mã dịch vụ", "ticket prefix": "ký hiệu số thứ tự"}


def _assign(target: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(target, key, value)


def configure_service(
    uow: UnitOfWork, site: Site, section: ServiceSection, actor: str, now: datetime
) -> Service:
    """An admin creates or replaces a service; the change goes to the audit log."""
    service = upsert_service(uow, site.id or 0, section)
    uow.record(
        site_id=site.id,
        kind=EventKind.CONFIG_CHANGED,
        actor=actor,
        at=now,
        service_id=service.id,
        payload={"service": section.code, "changes": section.model_dump(mode="json")},
    )
    return service


def configure_counter(
    uow: UnitOfWork, site: Site, section: CounterSection, actor: str, now: datetime
) -> Counter:
    """An admin creates or replaces a counter; the change goes to the audit log."""
    services = {s.code: s for s in uow.repo.services(site.id or 0)}
    counter = upsert_counter(uow, site.id or 0, section, services)
    uow.record(
        site_id=site.id,
        kind=EventKind.CONFIG_CHANGED,
        actor=actor,
        at=now,
        counter_id=counter.id,
        payload={"counter": section.number, "changes": section.model_dump(mode="json")},
    )
    return counter
