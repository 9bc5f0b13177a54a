"""Booking, cancelling and checking in on the fake unit of work (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fake_unit_of_work import FakeUnitOfWork

from queue_server.queueing.appointments import (
    AlreadyBooked,
    BookingNotActive,
    NoBookingForCard,
    OutsideCheckInWindow,
    SlotFull,
    SlotUnavailable,
)
from queue_server.services.appointments import (
    BookingRequest,
    CheckInWindow,
    book,
    cancel,
    check_in,
    check_in_by_card,
    open_slots,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
#: A Wednesday morning; Thursday 26 November 2026 is a working day.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZONE)
SLOT = datetime(2026, 11, 26, 9, 0, tzinfo=ZONE)
WINDOW = CheckInWindow(15, 10)


@pytest.fixture
def centre(uow: FakeUnitOfWork) -> FakeUnitOfWork:
    service = uow.repo.all_services[0]
    service.appointment_capacity = 2
    return uow


def _book(uow: FakeUnitOfWork, phone: str, start: datetime = SLOT) -> str:
    site = uow.repo.sites[0]
    return str(book(uow, site, BookingRequest("ho-tich", start, phone), NOW)["code"])


def test_places_are_taken_and_given_back(centre: FakeUnitOfWork) -> None:
    site = centre.repo.sites[0]
    first = _book(centre, "0912345678")
    _book(centre, "0987654321")
    with pytest.raises(SlotFull):
        _book(centre, "0351234567")
    with pytest.raises(AlreadyBooked):
        _book(centre, "0912345678", SLOT + timedelta(hours=1))
    cancel(centre, site, first, "0912 345 678", NOW)
    slots = open_slots(centre, site, "ho-tich", SLOT.date(), NOW)
    free = {s["start"]: s["free"] for s in slots}
    assert free[SLOT.isoformat()] == 1
    # The cancelled booking's messages, unsent, went with it.
    outbox = centre.appointments.outbox
    assert [(m["phone"], m["kind"]) for m in outbox] == [
        ("0987654321", "confirmation"),
        ("0987654321", "reminder"),
    ]


def test_only_slots_of_the_day_are_taken(centre: FakeUnitOfWork) -> None:
    with pytest.raises(SlotUnavailable):
        _book(centre, "0912345678", SLOT + timedelta(minutes=10))
    with pytest.raises(SlotUnavailable):
        _book(centre, "0912345678", NOW - timedelta(hours=1))


def test_a_booking_checks_in_once_inside_its_window(centre: FakeUnitOfWork) -> None:
    site = centre.repo.sites[0]
    code = _book(centre, "0912345678")
    with pytest.raises(OutsideCheckInWindow):
        check_in(centre, site, code, WINDOW, "kiosk-1", SLOT - timedelta(minutes=16), 20)
    ticket = check_in(centre, site, code, WINDOW, "kiosk-1", SLOT - timedelta(minutes=1), 20)
    assert ticket["priority"] == "appointment" and ticket["number"] == "A001"
    with pytest.raises(BookingNotActive):
        check_in(centre, site, code, WINDOW, "kiosk-1", SLOT, 20)


def test_a_booking_keeps_its_place_past_the_daily_limit(centre: FakeUnitOfWork) -> None:
    site = centre.repo.sites[0]
    code = _book(centre, "0912345678")
    centre.repo.all_services[0].daily_limit = 1
    centre.repo.next_seq(centre.repo.all_services[0].id or 0, SLOT.date().isoformat())
    ticket = check_in(centre, site, code, WINDOW, "kiosk-1", SLOT, 20)
    assert ticket["number"] == "A002" and ticket["priority"] == "appointment"


def test_the_card_finds_the_booking_whose_window_is_open(centre: FakeUnitOfWork) -> None:
    site = centre.repo.sites[0]
    card = "keyed-hash-of-the-id"
    codes = [
        book(centre, site, BookingRequest("ho-tich", start, phone, id_hash=card), NOW)["code"]
        for start, phone in ((SLOT, "0912345678"), (SLOT + timedelta(minutes=30), "0987654321"))
    ]

    def hold(id_hash: str, minutes: int) -> object:
        at = SLOT + timedelta(minutes=minutes)
        ticket = check_in_by_card(centre, site, id_hash, WINDOW, "kiosk-1", at, 20)
        return ticket["appointment"]["code"]  # type: ignore[index]

    with pytest.raises(NoBookingForCard):
        hold("another-hash", 0)
    assert hold(card, 25) == codes[1]  # the first slot's window closed at +10
    assert hold(card, 5) == codes[0]
    with pytest.raises(BookingNotActive):
        hold(card, 6)
