"""Request bodies and query strings of the API (unknown fields are refused)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from device_kit.contract.device_wire import AnnouncementMode, AnnouncementVariant
from queue_server.queueing.model import PriorityPolicy


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: A device's own key for one request (a random one per ticket): sent again after a
#: lost answer, the request gets the ticket it was already issued.
RequestKey = Annotated[
    str, StringConstraints(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]


class TokenRequest(_Body):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class IssueTicketBody(_Body):
    service: str = Field(min_length=1, max_length=40)
    priority: str | None = Field(None, max_length=30)
    dossier_code: str | None = Field(None, max_length=80)
    request_key: RequestKey | None = None


_TICKET_NUMBER = r"^\s*[A-Za-z]{1,2}\d{1,5}\s*$"


class CallNumberBody(_Body):
    number: str = Field(min_length=2, max_length=12, pattern=_TICKET_NUMBER)


class ParkBody(_Body):
    """``photocopy``, ``pay_fee``, ``fill_form`` (``ParkReason``) or the officer's own words."""

    reason: str = Field(min_length=1, max_length=200, pattern=r"\S")


class ResumeParkedBody(_Body):
    """The parked ticket to call back: its number, or its id from the parked list."""

    number: str | None = Field(None, min_length=2, max_length=12, pattern=_TICKET_NUMBER)
    ticket_id: int | None = Field(None, ge=1, le=2**31 - 1)

    @model_validator(mode="after")
    def _one_of_them(self) -> ResumeParkedBody:
        if (self.number is None) == (self.ticket_id is None):
            raise ValueError("give either number or ticket_id")
        return self


class TransferBody(_Body):
    service: str = Field(min_length=1, max_length=40)


class PauseBody(_Body):
    reason: str = Field(min_length=1, max_length=200)


class ServicePatch(_Body):
    """Fields left out keep their value. Only ``daily_limit`` takes null (no limit):
    the others are typed without it, so a null is refused like any wrong type.
    (Their ``None`` default stands for "left out", which pydantic never validates;
    the type checker cannot know that, hence the ignores.)"""

    name_vi: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    name_en: str = Field(None, max_length=200)  # type: ignore[assignment]
    prefix: str = Field(None, pattern=r"^[A-Z]{1,2}$")  # type: ignore[assignment]
    hours: str = Field(None, min_length=1, max_length=400)  # type: ignore[assignment]
    daily_limit: int | None = Field(None, ge=1, le=9999)
    priority_policy: PriorityPolicy = Field(None)  # type: ignore[assignment]
    interleave_every: int = Field(None, ge=1, le=50)  # type: ignore[assignment]
    active: bool = Field(None)  # type: ignore[assignment]
    appointment_capacity: int = Field(None, ge=0, le=500)  # type: ignore[assignment]
    slot_minutes: int = Field(None, ge=5, le=240)  # type: ignore[assignment]
    booking_days_ahead: int = Field(None, ge=0, le=120)  # type: ignore[assignment]


class SiteVoicePatch(_Body):
    """How the hall boards read numbers; fields left out keep their value."""

    announcement_mode: AnnouncementMode = Field(
        None,  # type: ignore[arg-type]
        description="digits: A, một, hai, ba; number: A, một trăm hai mươi ba",
    )
    announcement_variant: AnnouncementVariant = Field(
        None,  # type: ignore[arg-type]
        description="north: một trăm linh một, nghìn; south: một trăm lẻ một, ngàn",
    )


class SitePatch(SiteVoicePatch):
    """Fields left out keep their value; none takes null (every one is stored text)."""

    name_vi: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    name_en: str = Field(None, max_length=200)  # type: ignore[assignment]
    hotline: str = Field(None, max_length=40)  # type: ignore[assignment]
    ticker_vi: str = Field(None, max_length=2000)  # type: ignore[assignment]
    ticker_en: str = Field(None, max_length=2000)  # type: ignore[assignment]


class SiteQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    site: str | None = Field(None, max_length=40)


class SlotsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    service: str = Field(min_length=1, max_length=40)
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    site: str | None = Field(None, max_length=40)


class BookingBody(_Body):
    """``start``: one of the slots' ISO 8601 starts; a time without an offset is the
    centre's own."""

    service: str = Field(min_length=1, max_length=40)
    start: str = Field(min_length=16, max_length=40)
    phone: str = Field(min_length=1, max_length=30)
    name: str | None = Field(None, max_length=120)
    id_number: str | None = Field(
        None,
        max_length=40,
        description="optional 12-digit personal ID number, for check-in by ID card; "
        "only its keyed hash is kept",
    )


class CheckInBody(_Body):
    """What the kiosk read or the visitor typed (``code``: the booking QR, its code or
    the phone), or the ID number from the card the visitor holds (``id_number``)."""

    code: str | None = Field(None, min_length=1, max_length=300)
    id_number: str | None = Field(None, min_length=1, max_length=40)
    request_key: RequestKey | None = None

    @model_validator(mode="after")
    def _one_of(self) -> CheckInBody:
        if (self.code is None) == (self.id_number is None):
            raise ValueError("send either code or id_number")
        return self


class CancelBookingBody(_Body):
    code: str = Field(min_length=1, max_length=300)
    phone: str = Field(min_length=1, max_length=30)
