"""Checking a booking in at the Kivy kiosk by touch: the booking QR to the camera, the
code typed on the keys, a second check-in and one too early refused with a normal
ticket offered. The server and printer emulator are the ones of ``test_kiosk_flow``."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import test_kiosk_flow
from clocks import TickingClock
from test_kiosk_flow import ARTIFACTS, Hall, printed_texts, read_ticket

#: The hall of ``test_kiosk_flow`` (server, printer emulator), one for this module.
hall = test_kiosk_flow.hall
SERVICE = "ho-tich"


def add_booking(database_url: str, start: datetime, phone: str) -> str:
    """A booking of ``start`` as the booking page leaves it, straight into the server's
    database (the slot rules have their own tests; these are about the kiosk and the
    console); returns its code."""
    from queue_server.adapters.database import connect
    from queue_server.adapters.unit_of_work import UnitOfWork
    from queue_server.queueing.appointments import Booking, new_code

    db = connect(database_url)
    try:
        with UnitOfWork(db) as uow:
            site = uow.repo.site("default")
            service = uow.repo.service(site.id, SERVICE)
            code = new_code()
            uow.appointments.take_place(service.id, start, 5)
            uow.appointments.add(
                Booking(
                    site_id=site.id,
                    service_id=service.id,
                    code=code,
                    phone=phone,
                    name="Trần Thị Bình",
                    slot_start=start,
                    slot_end=start + timedelta(minutes=30),
                    day=start.astimezone(ZoneInfo(site.timezone)).date().isoformat(),
                    created_at=start - timedelta(days=1),
                )
            )
            uow.commit()
    finally:
        db.dispose()
    return code


def hall_db(hall: Hall) -> str:
    return f"sqlite:///{hall.tmp / 'motcua.db'}"


@pytest.mark.kivy
@pytest.mark.slow
def test_the_booking_qr_held_to_the_camera_prints_an_appointment_ticket(
    hall: Hall, ticking_clock: TickingClock
) -> None:
    code = add_booking(hall_db(hall), ticking_clock() + timedelta(minutes=5), "0912345601")
    result = hall.run(
        "appointment_scan", service=SERVICE, qr_payload=f"https://motcua.example.vn/hen/{code}"
    )
    assert "Đã đặt lịch hẹn" not in result["priority_buttons"]  # no longer self-declared
    ticket = read_ticket(hall, result["ticket_id"])
    assert ticket["priority"] == "appointment" and ticket["number"] == result["number"]
    assert result["headline"] == f"Mời nhận phiếu {result['number']}"
    assert any(result["number"] in t.splitlines() for t in printed_texts(hall.emulator))


@pytest.mark.kivy
@pytest.mark.slow
def test_typed_codes_check_in_once_and_too_early_offers_a_normal_ticket(
    hall: Hall, ticking_clock: TickingClock
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    now = ticking_clock()
    due = add_booking(hall_db(hall), now + timedelta(minutes=2), "0912345602")
    later = add_booking(hall_db(hall), now + timedelta(hours=2), "0912345603")
    result = hall.run(
        "appointment_typed",
        service=SERVICE,
        codes=[due, due, later],
        out=str(ARTIFACTS),
        name="portrait-vi",
    )
    checked_in, again, early = result["results"]
    assert read_ticket(hall, checked_in["ticket_id"])["priority"] == "appointment"
    assert "đã được lấy số" in again["message"]
    assert "Chưa đến giờ" in early["message"]
    assert early["normal_service"] == SERVICE
    normal = read_ticket(hall, early["normal"]["ticket_id"])
    assert normal["priority"] is None and normal["service"] == SERVICE
