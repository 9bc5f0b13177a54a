"""The counter console shows an appointment ticket's booking: its code, the booked time
and the name given, under the priority it was served by. Screenshots at 1366×768 and
1920×1080 go to tests/artifacts/console/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from clocks import running_time
from floor import Floor
from playwright.sync_api import expect
from test_counter_console_browser import add_officer, issue, shoot, sign_in
from test_kiosk_appointments import add_booking


def test_the_console_shows_the_booking_of_an_appointment_ticket(
    browser: Any, floor: Floor
) -> None:
    add_officer(floor)
    start = running_time() + timedelta(minutes=5)
    code = add_booking(floor.server.env["MOTCUA_DATABASE_URL"], start, "0912345604")
    normal = issue(floor, "ho-tich")
    checked_in = requests.post(
        f"{floor.server.url}/api/v1/appointments/check-in",
        json={"code": code},
        headers={"Authorization": f"Bearer {floor.token('kiosk')}"},
        timeout=5,
    )
    assert checked_in.status_code == 201, checked_in.text
    number = checked_in.json()["number"]

    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{floor.server.url}/counter")
    sign_in(page, 3)
    page.click("#next")
    expect(page.locator("#current-number")).to_have_text(number)  # before the earlier normal
    local = start.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    booking = page.locator("#fact-appointment")
    expect(booking).to_have_text(f"Lịch hẹn {code}: {local:%H:%M} — Trần Thị Bình")
    expect(page.locator("#fact-priority")).to_contain_text("Kiểm tra lịch hẹn đã đặt")
    shoot(page, "current-appointment")
    page.click("[data-lang-toggle]")
    expect(booking).to_have_text(f"Booking {code}: {local:%H:%M} — Trần Thị Bình")
    assert normal != number
