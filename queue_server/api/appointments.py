"""Appointments: public slots, booking and cancelling (no token, limited per client
address); check-in at a kiosk (kiosk token)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import jsonify

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.api.blueprint import bp
from queue_server.api.context import id_hash, principal, site_ref
from queue_server.api.errors import ApiError
from queue_server.api.schemas import BookingBody, CancelBookingBody, CheckInBody, SlotsQuery
from queue_server.api.spec import endpoint
from queue_server.api.throttle import throttle
from queue_server.api.tickets import with_track_url
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.appointments import TooManyBookings
from queue_server.security import client_address
from queue_server.services.appointments import (
    BookingRequest,
    BookingView,
    CheckInWindow,
    appointment_services,
    book,
    cancel,
    check_in,
    check_in_by_card,
    open_slots,
    release_missed,
)
from queue_server.services.auth import Permission
from queue_server.services.clock import at_site
from queue_server.services.unit_of_work import run

HOUR = 3600.0
#: Cancels per client address and hour: enough for a family, too few to guess codes.
CANCELS_PER_HOUR = 20


def _limit(name: str, per_hour: int, now: datetime) -> None:
    wait = throttle(name, per_hour, HOUR, now.timestamp())
    if wait:
        raise TooManyBookings(wait)


@endpoint(
    bp,
    "/appointments/services",
    "GET",
    summary="Services that take appointments",
    tag="appointments",
)
def list_appointment_services() -> Any:
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        site = site_ref().load(uow)
        services = appointment_services(uow, site, runtime.clock())
    settings = runtime.settings
    early, late = settings.appointment_early_min, settings.appointment_late_min
    return jsonify({"services": services, "check_in": {"early_min": early, "late_min": late}})


@endpoint(
    bp,
    "/appointments/slots",
    "GET",
    summary="A service's slots on a day with their free places (ISO 8601 with offset)",
    tag="appointments",
    query=SlotsQuery,
    responses={200: "{slots: [{start, end, free}]}", 404: "Unknown service"},
)
def list_slots(query: SlotsQuery) -> Any:
    runtime = current_runtime()
    try:
        day = date.fromisoformat(query.date)
    except ValueError:
        raise ApiError("The date is not valid.", "Ngày không hợp lệ.") from None
    with runtime.uow(readonly=True) as uow:
        slots = open_slots(uow, site_ref().load(uow), query.service, day, runtime.clock())
    return jsonify({"slots": slots})


@endpoint(
    bp,
    "/appointments",
    "POST",
    summary="Book a slot for a mobile number, optionally with the personal ID number "
    "for check-in by ID card (only its keyed hash is kept; limited per client address)",
    tag="appointments",
    body=BookingBody,
    responses={
        201: "The booking with its code",
        400: "Not a Vietnamese mobile number, or not a 12-digit ID number",
        409: "Slot full, unavailable, or already booked",
        429: "Too many bookings",
    },
)
def create_appointment(body: BookingBody) -> Any:
    runtime = current_runtime()
    now = runtime.clock()
    _limit("appointment_book", runtime.settings.bookings_per_address_per_hour, now)
    ref = site_ref()
    holder = id_hash(body.id_number) if body.id_number else None

    def work(uow: UnitOfWork) -> BookingView:
        site = ref.load(uow)
        try:
            start = at_site(datetime.fromisoformat(body.start), site.timezone)
        except (ValueError, OverflowError):
            raise ApiError("The start time is not valid.", "Giờ hẹn không hợp lệ.") from None
        release_missed(uow, site, now, runtime.settings.appointment_late_min)
        request = BookingRequest(
            body.service, start, body.phone, body.name or "", client_address(), holder
        )
        return book(uow, site, request, now)

    view = run(runtime.uow, work)
    return jsonify({**view, "cancel_url": f"/hen/{view['code']}"}), 201


@endpoint(
    bp,
    "/appointments/cancel",
    "POST",
    summary="Cancel a booking by its code and phone number",
    tag="appointments",
    body=CancelBookingBody,
    responses={200: "The cancelled booking", 404: "No booking with that code and phone"},
)
def cancel_appointment(body: CancelBookingBody) -> Any:
    runtime = current_runtime()
    now = runtime.clock()
    _limit("appointment_cancel", CANCELS_PER_HOUR, now)
    ref = site_ref()
    view = run(runtime.uow, lambda uow: cancel(uow, ref.load(uow), body.code, body.phone, now))
    return jsonify(view)


@endpoint(
    bp,
    "/appointments/check-in",
    "POST",
    summary="Check a booking in at the kiosk by its code, QR or phone, or by the ID number "
    "of the card the visitor holds: a ticket with the appointment priority",
    tag="appointments",
    permission=Permission.ISSUE,
    body=CheckInBody,
    in_turn=True,
    responses={
        201: "The ticket",
        400: "Neither or both of code and id_number, or not a 12-digit ID number",
        404: "Unknown booking, or no booking of today made with this ID card",
        409: "Already checked in, or outside the check-in window",
    },
)
def check_in_appointment(body: CheckInBody) -> Any:
    runtime = current_runtime()
    now = runtime.clock()
    settings = runtime.settings
    who = principal()
    source = who.label if who else "web"
    window = CheckInWindow(settings.appointment_early_min, settings.appointment_late_min)
    ref = site_ref()
    holder = id_hash(body.id_number) if body.id_number is not None else None

    def work(uow: UnitOfWork) -> dict[str, object]:
        site = ref.load(uow)
        key = body.request_key
        if holder is not None:
            return check_in_by_card(
                uow, site, holder, window, source, now, settings.wait_sample, request_key=key
            )
        return check_in(
            uow, site, body.code or "", window, source, now, settings.wait_sample, request_key=key
        )

    view = run(runtime.uow, work)
    return jsonify(with_track_url(view)), 201
