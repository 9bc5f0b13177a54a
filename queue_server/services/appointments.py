"""Appointments: slots with free places, booking, cancelling, check-in at the kiosk.

Each function runs inside the caller's unit of work (``run`` opens it); a check-in
numbers its ticket in the same transaction that marks the booking used, so a
booking turns into exactly one ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from device_kit.contract.events import EventKind
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.queueing.appointments import (
    AlreadyBooked,
    AppointmentRules,
    AppointmentsOff,
    Booking,
    BookingNotActive,
    BookingState,
    NoBookingForCard,
    OutsideCheckInWindow,
    SlotFull,
    SlotUnavailable,
    UnknownBooking,
    bookable_days,
    check_in_window,
    day_slots,
    new_code,
    parse_phone,
    read_code,
)
from queue_server.queueing.errors import RequestKeyReused
from queue_server.queueing.model import PriorityGroup, Service, Site
from queue_server.services.clock import local_day
from queue_server.services.dossier_settings import load_dossier_settings
from queue_server.services.sms_lookup import masked_number
from queue_server.services.tickets import IssueRequest, number_new, position_view, repeated
from queue_server.services.working_calendar import site_calendar
from queue_server.text import strip_accents

#: The reminder goes out the day before the appointment at this site-local time.
REMINDER_AT = time(16, 0)
NAME_MAX = 120


class SlotView(TypedDict):
    start: str
    end: str
    free: int


class ServiceOffer(TypedDict):
    """A service that takes bookings, and the days bookable now."""

    code: str
    name_vi: str
    name_en: str
    slot_minutes: int
    first_day: str
    last_day: str


class BookingView(TypedDict):
    """What the booker sees of a booking: never the phone number in full."""

    code: str
    service: str
    service_name_vi: str
    service_name_en: str
    start: str
    end: str
    name: str
    phone: str
    state: str


@dataclass(frozen=True)
class CheckInWindow:
    early_min: int
    late_min: int


def rules_of(service: Service) -> AppointmentRules:
    return AppointmentRules(
        service.appointment_capacity, service.slot_minutes, service.booking_days_ahead
    )


def _calendar(uow: UnitOfWork, site: Site) -> WorkingCalendar:
    hours = load_dossier_settings(uow, site.id or 0).site_hours()
    return site_calendar(uow, site.id or 0, hours)


def _bookable_service(uow: UnitOfWork, site: Site, code: str) -> Service:
    service = uow.repo.service(site.id or 0, code)
    if not service.active or service.appointment_capacity < 1:
        raise AppointmentsOff()
    return service


def appointment_services(uow: UnitOfWork, site: Site, now: datetime) -> list[ServiceOffer]:
    """The services that take bookings with the days bookable now (the centre's days,
    whatever the phone's clock says), for the booking page."""
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    views: list[ServiceOffer] = []
    for s in uow.repo.services(site.id or 0):
        if s.active and s.appointment_capacity > 0:
            first, last = bookable_days(today, rules_of(s))
            views.append(
                {
                    "code": s.code,
                    "name_vi": s.name_vi,
                    "name_en": s.name_en,
                    "slot_minutes": s.slot_minutes,
                    "first_day": first.isoformat(),
                    "last_day": last.isoformat(),
                }
            )
    return views


def open_slots(
    uow: UnitOfWork, site: Site, service_code: str, day: date, now: datetime
) -> list[SlotView]:
    """The day's slots still ahead, with their free places; none outside the days
    bookable now or on a day the calendar keeps closed."""
    service = _bookable_service(uow, site, service_code)
    rules = rules_of(service)
    zone = ZoneInfo(site.timezone)
    first, last = bookable_days(now.astimezone(zone).date(), rules)
    if not first <= day <= last:
        return []
    slots = [
        s for s in day_slots(service.hours, _calendar(uow, site), day, rules.slot_minutes)
        if s.start > now
    ]
    taken = uow.appointments.taken(service.id or 0, [s.start for s in slots])
    return [
        {
            "start": s.start.isoformat(),
            "end": s.end.isoformat(),
            "free": max(0, rules.capacity - taken.get(s.start, 0)),
        }
        for s in slots
    ]


@dataclass(frozen=True)
class BookingRequest:
    service: str
    start: datetime
    phone: str
    name: str = ""
    client_address: str = ""
    #: The keyed hash of the holder's ID number (check-in by card); never the number.
    id_hash: str | None = None


def book(uow: UnitOfWork, site: Site, request: BookingRequest, now: datetime) -> BookingView:
    """Take a place in a slot for a phone number; the SMS confirmation and the
    reminder wait in the outbox of the same transaction."""
    phone = parse_phone(request.phone)
    service = _bookable_service(uow, site, request.service)
    rules = rules_of(service)
    zone = ZoneInfo(site.timezone)
    start = request.start.astimezone(zone)
    first, last = bookable_days(now.astimezone(zone).date(), rules)
    slots = day_slots(service.hours, _calendar(uow, site), start.date(), rules.slot_minutes)
    slot = next((s for s in slots if s.start == start), None)
    if slot is None or start <= now or not first <= start.date() <= last:
        raise SlotUnavailable()
    day = start.date().isoformat()
    if any(b.service_id == service.id for b in uow.appointments.holding(site.id or 0, phone, day)):
        raise AlreadyBooked()
    if not uow.appointments.take_place(service.id or 0, slot.start, rules.capacity):
        raise SlotFull()
    code = new_code()
    while uow.appointments.by_code(site.id or 0, code) is not None:
        code = new_code()
    booking = Booking(
        site_id=site.id or 0,
        service_id=service.id or 0,
        code=code,
        phone=phone,
        name=" ".join(request.name.split())[:NAME_MAX],
        slot_start=slot.start,
        slot_end=slot.end,
        day=day,
        created_at=now,
        client_address=request.client_address[:64],
        id_hash=request.id_hash,
    )
    uow.appointments.add(booking)
    _queue_messages(uow, site, service, booking, now)
    _record(uow, EventKind.APPOINTMENT_BOOKED, site, service, booking, now)
    return booking_view(booking, service, zone)


def _record(
    uow: UnitOfWork, kind: EventKind, site: Site, service: Service, booking: Booking, now: datetime
) -> None:
    """A booker's step (booked, cancelled) in the event log, by its service and slot."""
    uow.record(
        site_id=site.id,
        kind=kind,
        actor="web",
        at=now,
        service_id=service.id,
        payload={"service": service.code, "slot_start": booking.slot_start.isoformat()},
    )


def booking_view(booking: Booking, service: Service, zone: ZoneInfo) -> BookingView:
    return {
        "code": booking.code,
        "service": service.code,
        "service_name_vi": service.name_vi,
        "service_name_en": service.name_en,
        "start": booking.slot_start.astimezone(zone).isoformat(),
        "end": booking.slot_end.astimezone(zone).isoformat(),
        "name": booking.name,
        "phone": masked_number(booking.phone),
        "state": booking.state.value,
    }


def _queue_messages(
    uow: UnitOfWork, site: Site, service: Service, booking: Booking, now: datetime
) -> None:
    local = booking.slot_start.astimezone(ZoneInfo(site.timezone))
    when = f"{local:%H:%M} ngay {local:%d/%m/%Y}"
    confirm = (
        f"Lich hen {booking.code}: {_ascii(service.name_vi)} luc {when}. "
        "Dua ma QR hoac ma nay tai kiosk de lay so."
    )
    uow.appointments.queue_sms(
        site.id or 0, booking.phone, confirm, "confirmation", booking.id or 0, now
    )
    remind_at = datetime.combine(local.date() - timedelta(days=1), REMINDER_AT, local.tzinfo)
    if remind_at > now:
        uow.appointments.queue_sms(
            site.id or 0,
            booking.phone,
            f"Nhac lich hen {booking.code}: {_ascii(service.name_vi)} luc {when}.",
            "reminder",
            booking.id or 0,
            remind_at,
        )


def _ascii(text: str) -> str:
    """SMS text without diacritics, so it fits one GSM-7 message."""
    return strip_accents(text)[:60]


def cancel(uow: UnitOfWork, site: Site, code: str, phone: str, now: datetime) -> BookingView:
    """Cancel a booking still waiting; the code and its phone number must match."""
    number = parse_phone(phone)
    booking = _find(uow, site, code)
    if booking.phone != number:
        raise UnknownBooking()
    if booking.state is not BookingState.BOOKED or not uow.appointments.move(
        booking, BookingState.CANCELLED
    ):
        raise BookingNotActive(booking.state)
    uow.appointments.free_place(booking.service_id, booking.slot_start)
    uow.appointments.drop_unsent(booking.id or 0)
    service = uow.repo.service_by_id(booking.service_id)
    _record(uow, EventKind.APPOINTMENT_CANCELLED, site, service, booking, now)
    return booking_view(booking, service, ZoneInfo(site.timezone))


def _find(uow: UnitOfWork, site: Site, text: str) -> Booking:
    code = read_code(text)
    booking = uow.appointments.by_code(site.id or 0, code) if code else None
    if booking is None:
        raise UnknownBooking()
    return booking


def release_missed(uow: UnitOfWork, site: Site, now: datetime, late_min: int) -> int:
    """Release the bookings whose check-in window has closed; they count as missed."""
    released = uow.appointments.release_missed(site.id or 0, now - timedelta(minutes=late_min))
    if released:
        uow.record(
            site_id=site.id,
            kind=EventKind.APPOINTMENT_MISSED,
            actor="system",
            at=now,
            payload={"count": released},
        )
    return released


def check_in(
    uow: UnitOfWork,
    site: Site,
    text: str,
    window: CheckInWindow,
    source: str,
    now: datetime,
    wait_sample: int,
    *,
    request_key: str | None = None,
) -> dict[str, object]:
    """Turn a booking into a ticket with the appointment priority. ``text`` is what the
    kiosk read or the visitor typed: the booking QR, its code, or the phone number (its
    booking of today whose window is open, else the nearest). A repeat of the request
    (its ``request_key``) gets the ticket the booking was checked in with."""
    if read_code(text) is not None:
        booking = _find(uow, site, text)
    else:
        today = local_day(now, site.timezone)
        found = uow.appointments.holding(site.id or 0, parse_phone(text), today)
        if not found:
            raise UnknownBooking()
        booking = _of_today(found, now, window)
    return _ticket_for(uow, site, booking, window, (source, request_key), now, wait_sample)


def check_in_by_card(
    uow: UnitOfWork,
    site: Site,
    id_hash: str,
    window: CheckInWindow,
    source: str,
    now: datetime,
    wait_sample: int,
    *,
    request_key: str | None = None,
) -> dict[str, object]:
    """Check in the booking of today that recorded the ID card's keyed hash (whose
    window is open, else the nearest): the visitor holds the card instead of the QR."""
    found = uow.appointments.holding_by_id(site.id or 0, id_hash, local_day(now, site.timezone))
    if not found:
        raise NoBookingForCard()
    booking = _of_today(found, now, window)
    return _ticket_for(uow, site, booking, window, (source, request_key), now, wait_sample)


def _of_today(found: list[Booking], now: datetime, window: CheckInWindow) -> Booking:
    """Of a visitor's bookings of today, one still waiting whose check-in window is
    open, else the waiting one nearest now; all used: the nearest (refused as used)."""
    waiting = [b for b in found if b.state is BookingState.BOOKED] or found

    def rank(b: Booking) -> tuple[bool, float]:
        opens = b.slot_start - timedelta(minutes=window.early_min)
        closes = b.slot_start + timedelta(minutes=window.late_min)
        return not opens <= now <= closes, abs((b.slot_start - now).total_seconds())

    return min(waiting, key=rank)


def _ticket_for(
    uow: UnitOfWork,
    site: Site,
    booking: Booking,
    window: CheckInWindow,
    asker: tuple[str, str | None],
    now: datetime,
    wait_sample: int,
) -> dict[str, object]:
    """``asker``: the device checking in (its label) and its key for this request."""
    source, request_key = asker
    service = uow.repo.service_by_id(booking.service_id)
    request = IssueRequest(service.code, PriorityGroup.APPOINTMENT.value, source, None, request_key)
    earlier = repeated(uow, request, service)
    if earlier is not None:
        if earlier.id != booking.ticket_id:
            raise RequestKeyReused(
                "This request key was already used for another booking.",
                "Mã yêu cầu này đã dùng cho một lịch hẹn khác.",
            )
        again: dict[str, object] = position_view(uow, earlier, service, wait_sample)
        again["appointment"] = _appointment(booking, site.timezone)
        return again
    if booking.state is not BookingState.BOOKED:
        raise BookingNotActive(booking.state)
    try:
        check_in_window(
            booking.slot_start.astimezone(ZoneInfo(site.timezone)),
            now,
            window.early_min,
            window.late_min,
        )
    except OutsideCheckInWindow as refusal:
        refusal.details["service"] = service.code  # the kiosk offers a normal ticket of it
        raise
    if not uow.appointments.move(booking, BookingState.CHECKED_IN, checked_in_at=now):
        raise BookingNotActive(BookingState.CHECKED_IN)
    view: dict[str, object] = number_new(uow, site, service, request, source, now, wait_sample)
    uow.appointments.move(booking, BookingState.CHECKED_IN, ticket_id=view["id"])
    view["appointment"] = _appointment(booking, site.timezone)
    return view


def appointment_of_ticket(uow: UnitOfWork, ticket_id: int, zone: str) -> dict[str, str] | None:
    """The booking behind an appointment ticket, for the counter console."""
    booking = uow.appointments.by_ticket(ticket_id)
    return None if booking is None else _appointment(booking, zone)


def _appointment(booking: Booking, zone: str) -> dict[str, str]:
    """The booking as its ticket shows it (kiosk, counter console), site-local times."""
    local = ZoneInfo(zone)
    return {
        "code": booking.code,
        "start": booking.slot_start.astimezone(local).isoformat(),
        "end": booking.slot_end.astimezone(local).isoformat(),
        "name": booking.name,
    }
