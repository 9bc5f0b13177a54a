"""Appointments through the API on SQLite and PostgreSQL: slots from the calendar,
booking and its refusals, capacity under concurrent bookers, check-in at the kiosk."""

from __future__ import annotations

import io
import re
import secrets
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clocks import FakeClock
from flask import Flask
from openpyxl import load_workbook
from server_fixtures import Api
from sqlalchemy import func, select

from queue_server.adapters.tables import appointment_slots, appointments, sms_outbox, tickets
from queue_server.dossiers.calendar import WorkingCalendar

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SERVICE = "ho-tich"


def open_bookings(api: Api, capacity: int = 2, days_ahead: int = 100) -> None:
    response = api.call(
        "PATCH",
        f"/services/{SERVICE}",
        "admin",
        json={"appointment_capacity": capacity, "booking_days_ahead": days_ahead},
    )
    assert response.status_code == 200, response.json


def next_working_day(clock: FakeClock) -> date:
    """The next Monday–Friday working day after the test's today."""
    calendar = WorkingCalendar()
    day = clock().astimezone(ZONE).date() + timedelta(days=1)
    while day.weekday() >= 5 or not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def slots(api: Api, day: date) -> list[dict[str, Any]]:
    response = api.call("GET", f"/appointments/slots?service={SERVICE}&date={day.isoformat()}")
    assert response.status_code == 200, response.json
    return list(response.json["slots"])


def book(api: Api, start: str, phone: str, address: str = "10.0.0.1", **extra: str) -> Any:
    return api.client.post(
        "/api/v1/appointments",
        json={"service": SERVICE, "start": start, "phone": phone, **extra},
        environ_base={"REMOTE_ADDR": address},
    )


def check_in(api: Api, code: str) -> Any:
    return api.call("POST", "/appointments/check-in", "kiosk", json={"code": code})


def test_slots_follow_hours_lunch_and_capacity(api: Api, clock: FakeClock) -> None:
    open_bookings(api, capacity=3)
    day = next_working_day(clock)
    found = slots(api, day)
    assert found[0]["start"] == f"{day.isoformat()}T07:00:00+07:00"
    assert found[0]["end"] == f"{day.isoformat()}T07:30:00+07:00"
    assert found[-1]["end"] == f"{day.isoformat()}T17:00:00+07:00"
    assert not [s for s in found if "T12:" in s["start"]]
    assert {s["free"] for s in found} == {3}
    assert book(api, found[0]["start"], "0912345678", name="Nguyễn Văn A").status_code == 201
    assert slots(api, day)[0]["free"] == 2


def test_tet_2027_has_no_slots(api: Api) -> None:
    open_bookings(api)
    for day in range(5, 12):
        assert slots(api, date(2027, 2, day)) == []


def test_no_slots_for_a_service_without_bookings_or_past_the_horizon(
    api: Api, clock: FakeClock
) -> None:
    day = next_working_day(clock)
    closed = api.call("GET", f"/appointments/slots?service={SERVICE}&date={day.isoformat()}")
    assert closed.status_code == 409 and closed.json["error"]["code"] == "appointments_off"
    open_bookings(api, days_ahead=0)
    assert slots(api, day) == []


def test_booking_refusals_in_the_error_shape(api: Api, clock: FakeClock) -> None:
    open_bookings(api, capacity=2)
    start = slots(api, next_working_day(clock))[2]["start"]
    first = book(api, start, "0912 345 678")
    assert first.status_code == 201
    body = first.json
    assert len(body["code"]) == 6 and body["start"] == start and body["phone"] == "*******678"
    bad = book(api, start, "0212345678")
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_phone"
    assert bad.json["error"]["message_vi"]
    again = book(api, slots(api, next_working_day(clock))[5]["start"], "+84912345678")
    assert again.status_code == 409 and again.json["error"]["code"] == "already_booked"
    assert book(api, start, "0987654321").status_code == 201
    full = book(api, start, "0351234567")
    assert full.status_code == 409 and full.json["error"]["code"] == "slot_full"
    between = datetime.fromisoformat(start) + timedelta(minutes=10)
    off_slot = book(api, between.isoformat(), "0351234567")
    assert off_slot.status_code == 409 and off_slot.json["error"]["code"] == "slot_unavailable"


def test_cancel_needs_the_code_and_its_phone_and_frees_the_place(
    api: Api, clock: FakeClock
) -> None:
    open_bookings(api, capacity=1)
    day = next_working_day(clock)
    start = slots(api, day)[0]["start"]
    code = book(api, start, "0912345678").json["code"]
    wrong = api.call("POST", "/appointments/cancel", json={"code": code, "phone": "0987654321"})
    assert wrong.status_code == 404
    done = api.call("POST", "/appointments/cancel", json={"code": code, "phone": "0912345678"})
    assert done.status_code == 200 and done.json["state"] == "cancelled"
    assert slots(api, day)[0]["free"] == 1
    with api.runtime.uow(readonly=True) as uow:
        left = uow.session.execute(select(sms_outbox.c.kind)).scalars().all()
    assert left == ["confirmation"] or left == []  # the unsent ones went with the booking
    assert book(api, start, "0912345678").status_code == 201


def test_the_confirmation_and_reminder_wait_in_the_outbox(api: Api, clock: FakeClock) -> None:
    open_bookings(api)
    day = next_working_day(clock)
    book(api, slots(api, day)[0]["start"], "0912345678")
    with api.runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(select(sms_outbox)).all()
    kinds = {r.kind: r for r in rows}
    assert "confirmation" in kinds and kinds["confirmation"].body.isascii()
    if "reminder" in kinds:
        assert kinds["reminder"].due_at.astimezone(ZONE).date() == day - timedelta(days=1)


def test_twenty_concurrent_bookers_never_overbook_a_slot(
    app: Flask, api: Api, clock: FakeClock
) -> None:
    capacity = 5
    open_bookings(api, capacity=capacity)
    start = slots(api, next_working_day(clock))[0]["start"]
    gate = threading.Barrier(20)

    def one(i: int) -> int:
        client = app.test_client()
        gate.wait(timeout=30)
        response = client.post(
            "/api/v1/appointments",
            json={"service": SERVICE, "start": start, "phone": f"09{i:08d}"},
            environ_base={"REMOTE_ADDR": f"10.0.1.{i}"},
        )
        return response.status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = Counter(pool.map(one, range(20)))
    assert statuses == {201: capacity, 409: 20 - capacity}
    with api.runtime.uow(readonly=True) as uow:
        held = uow.session.execute(select(func.count()).select_from(appointments)).scalar_one()
        booked = uow.session.execute(select(appointment_slots.c.booked)).scalar_one()
    assert held == booked == capacity


def test_bookings_are_limited_per_client_address(api: Api, clock: FakeClock) -> None:
    open_bookings(api, capacity=50)
    found = slots(api, next_working_day(clock))
    limit = api.runtime.settings.bookings_per_address_per_hour
    answers = [
        book(api, found[0]["start"], f"09{i:08d}", address="10.0.2.7").status_code
        for i in range(limit + 1)
    ]
    assert answers == [201] * limit + [429]
    assert book(api, found[0]["start"], "0911111111", address="10.0.2.8").status_code == 201


def _booked(api: Api, clock: FakeClock, phones: int) -> tuple[datetime, list[str]]:
    open_bookings(api, capacity=phones)
    start = slots(api, next_working_day(clock))[4]["start"]
    codes = [book(api, start, f"091234567{i}").json["code"] for i in range(phones)]
    return datetime.fromisoformat(start), codes


def test_check_in_window_edges_with_the_fake_clock(api: Api, clock: FakeClock) -> None:
    start, codes = _booked(api, clock, 4)
    clock.now = start - timedelta(minutes=15, seconds=1)
    early = check_in(api, codes[0])
    assert early.status_code == 409
    assert early.json["error"]["code"] == "outside_check_in_window"
    assert early.json["error"]["details"]["reason"] == "early"
    clock.now = start - timedelta(minutes=15)
    first = check_in(api, codes[0])
    assert first.status_code == 201, first.json
    assert first.json["priority"] == "appointment"
    assert first.json["appointment"]["code"] == codes[0]
    clock.now = start + timedelta(minutes=10)
    assert check_in(api, codes[1].lower()).status_code == 201
    clock.now = start + timedelta(minutes=10, seconds=1)
    late = check_in(api, codes[2])
    assert late.status_code == 409 and late.json["error"]["details"]["reason"] == "late"


def test_a_booking_checks_in_once_by_code_qr_or_phone(api: Api, clock: FakeClock) -> None:
    start, codes = _booked(api, clock, 2)
    clock.now = start - timedelta(minutes=5)
    ticket = check_in(api, f"https://motcua.example.vn/hen/{codes[0]}")
    assert ticket.status_code == 201
    again = check_in(api, codes[0])
    assert again.status_code == 409 and again.json["error"]["code"] == "booking_not_active"
    by_phone = check_in(api, "0912 345 671")
    assert by_phone.status_code == 201 and by_phone.json["appointment"]["code"] == codes[1]
    unknown = check_in(api, "ABCDEF")
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_booking"
    anonymous = api.call("POST", "/appointments/check-in", json={"code": codes[0]})
    assert anonymous.status_code == 401


def test_an_appointment_ticket_is_served_first_like_any_priority(
    api: Api, clock: FakeClock
) -> None:
    start, codes = _booked(api, clock, 1)
    clock.now = start - timedelta(minutes=1)
    normal = api.issue(SERVICE)
    ticket = check_in(api, codes[0]).json
    assert ticket["ahead"] == 0 and normal["ahead"] == 0
    assert api.call("GET", f"/tickets/{normal['id']}", "admin").json["ahead"] == 1


def test_missed_bookings_are_released_and_counted(api: Api, clock: FakeClock) -> None:
    start, codes = _booked(api, clock, 1)
    clock.now = start + timedelta(minutes=11)
    later = slots(api, start.astimezone(ZONE).date())[-1]["start"]
    assert book(api, later, "0912345670").status_code == 201  # the phone is free again
    with api.runtime.uow(readonly=True) as uow:
        states = dict(uow.session.execute(select(appointments.c.code, appointments.c.state)).all())
    assert states[codes[0]] == "missed"
    late = check_in(api, codes[0])
    assert late.status_code == 409 and late.json["error"]["code"] == "booking_not_active"


def test_the_counter_calls_the_appointment_first_and_shows_the_booking(
    api: Api, clock: FakeClock
) -> None:
    open_bookings(api, capacity=1)
    start = slots(api, next_working_day(clock))[4]["start"]
    code = book(api, start, "0912345679", name="Lê Văn Cường").json["code"]
    clock.now = datetime.fromisoformat(start) - timedelta(minutes=3)
    api.issue(SERVICE)
    ticket = check_in(api, code).json
    called = api.desk(3, "call-next")
    assert called.json["number"] == ticket["number"]
    assert called.json["appointment"] == {
        "code": code,
        "start": start,
        "end": (datetime.fromisoformat(start) + timedelta(minutes=30)).isoformat(),
        "name": "Lê Văn Cường",
    }


def test_reports_count_bookings_check_ins_no_shows_and_wait_from_slot(
    api: Api, clock: FakeClock
) -> None:
    open_bookings(api, capacity=4)
    found = slots(api, next_working_day(clock))
    start = found[4]["start"]
    codes = [book(api, start, f"091234500{i}").json["code"] for i in range(3)]
    book(api, found[5]["start"], "0912345333")  # never comes, never released by a booking
    cancelled = book(api, found[6]["start"], "0912345111").json["code"]
    api.call("POST", "/appointments/cancel", json={"code": cancelled, "phone": "0912345111"})
    clock.now = datetime.fromisoformat(start) - timedelta(minutes=5)
    check_in(api, codes[0])
    clock.now = datetime.fromisoformat(start) + timedelta(minutes=2)
    check_in(api, codes[1])
    clock.now = datetime.fromisoformat(start) + timedelta(minutes=4)
    assert api.desk(3, "call-next").status_code == 200  # waited 4 minutes from the slot
    assert api.desk(3, "call-next").status_code == 200
    clock.now = datetime.fromisoformat(start) + timedelta(minutes=11)
    book(api, found[-1]["start"], "0912345222")  # a booking releases the missed ones
    clock.now = datetime.fromisoformat(found[5]["end"])  # that slot is over
    day = start[:10]
    report = api.call(
        "GET", "/reports/summary", "supervisor", query_string={"period": "day", "from": day}
    )
    assert report.status_code == 200, report.json
    figures = report.json["appointments"]
    assert {k: figures[k] for k in ("booked", "checked_in", "cancelled", "no_show")} == {
        "booked": 6,
        "checked_in": 2,
        "cancelled": 1,
        "no_show": 2,
    }
    assert figures["wait_from_slot"]["count"] == 2
    assert figures["wait_from_slot"]["median_s"] == 240

    def export(kind: str) -> bytes:
        query = {"period": "day", "from": day, "format": kind}
        return api.call("GET", "/reports/export", "supervisor", query_string=query).data

    sheet = load_workbook(io.BytesIO(export("xlsx")))["Tổng hợp"]
    summary = dict(sheet.iter_rows(values_only=True))
    assert summary["Lượt đặt lịch / Bookings"] == 6 and summary["Không đến / No-show"] == 2
    assert summary["Chờ TB từ giờ hẹn (phút) / Mean wait from slot (min)"] == 4.0
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=export("pdf"), capture_output=True, check=True
    ).stdout.decode()
    assert "Lịch hẹn / Appointments" in text
    assert re.search(r"Đã đến nhận số / Checked in\s+2", text)


def test_the_confirmation_and_the_reminder_go_out_through_the_gsm_modem(
    api: Api, clock: FakeClock
) -> None:
    from drivers.gsm.emulator import GsmModemEmulator
    from drivers.gsm.modem import GsmModem
    from queue_server.services.sms_outbox import SmsOutbox

    open_bookings(api)
    day = next_working_day(clock)
    start = slots(api, day)[2]["start"]
    code = book(api, start, "0912 345 678").json["code"]
    outbox = SmsOutbox(api.runtime)
    with GsmModemEmulator() as emulator, GsmModem(emulator.path, timeout=2.0) as modem:
        modem.setup()
        assert outbox.send_due(modem) == 1
        ((number, text),) = emulator.sent
        assert number == "0912345678" and code in text and "08:00" in text
        assert outbox.send_due(modem) == 0  # sent once
        reminder_due = datetime.combine(
            day - timedelta(days=1), datetime.min.time().replace(hour=16), ZONE
        )
        assert reminder_due > clock.now  # the test days all book past today's 16:00
        clock.now = reminder_due - timedelta(seconds=1)
        assert outbox.send_due(modem) == 0
        clock.now = reminder_due
        assert outbox.send_due(modem) == 1
        assert emulator.sent[-1][1].startswith(f"Nhac lich hen {code}")


def test_the_admin_sets_capacity_slot_length_and_days_ahead_on_the_services_page(
    api: Api, clock: FakeClock
) -> None:
    from test_web_admin_pages import admin_session, page, post

    token = admin_session(api)
    saved = post(
        api, f"/admin/services/{SERVICE}", token, appointment_capacity="4", slot_minutes="60",
        booking_days_ahead="30", active="on",
    )
    assert saved.status_code == 302
    found = slots(api, next_working_day(clock))
    assert [s["start"][11:16] for s in found] == [
        "07:00", "08:00", "09:00", "10:00", "13:30", "14:30", "15:30"
    ]
    assert {s["free"] for s in found} == {4}
    assert 'name="appointment_capacity" value="4"' in page(api, "/admin/services")


def test_the_appointment_priority_is_not_self_declared(api: Api) -> None:
    body = {"service": SERVICE, "priority": "appointment"}
    refused = api.call("POST", "/tickets", "kiosk", json=body)
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "invalid_priority"
    assert "lịch hẹn" in refused.json["error"]["message_vi"]


def test_a_booking_page_and_its_qr_answer_only_the_code_as_written(
    api: Api, clock: FakeClock
) -> None:
    open_bookings(api)
    code = book(api, slots(api, next_working_day(clock))[0]["start"], "0912345678").json["code"]
    page = api.client.get(f"/hen/{code}")
    assert page.status_code == 200 and code in page.get_data(as_text=True)
    qr = api.client.get(f"/hen/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    for other in (code.lower(), "ABC", "K7P3Q0"):
        assert api.client.get(f"/hen/{other}").status_code == 404
        assert api.client.get(f"/hen/{other}/qr.svg").status_code == 404


def test_a_repeated_check_in_gets_the_ticket_its_booking_was_checked_in_with(
    api: Api, clock: FakeClock
) -> None:
    """A kiosk whose check-in answer was lost asks again with the same key: the booking
    is not 'already used', the visitor gets the ticket it was checked in with."""
    start, codes = _booked(api, clock, 2)
    clock.now = start - timedelta(minutes=5)
    key = secrets.token_urlsafe(16)

    def check_in_keyed(code: str) -> Any:
        body = {"code": code, "request_key": key}
        return api.call("POST", "/appointments/check-in", "kiosk", json=body)

    first, again = check_in_keyed(codes[0]), check_in_keyed(codes[0])
    assert first.status_code == again.status_code == 201, again.json
    assert again.json["id"] == first.json["id"]
    assert again.json["appointment"]["code"] == codes[0]
    other = check_in_keyed(codes[1])
    assert other.status_code == 422 and other.json["error"]["code"] == "request_key_reused"
    assert "lịch hẹn khác" in other.json["error"]["message_vi"]
    unkeyed = check_in(api, codes[0])
    assert unkeyed.status_code == 409 and unkeyed.json["error"]["code"] == "booking_not_active"
    with api.runtime.uow(readonly=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(tickets)) == 1
