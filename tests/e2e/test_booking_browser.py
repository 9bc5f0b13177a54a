"""The public booking pages in chromium on a phone (390×844) and a laptop: choose a
service, a day and a time, give a phone number, get the code and a QR the kiosk reads;
then cancel from the booking's own page. Screenshots land in tests/artifacts/booking/."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from clocks import running_time
from floor import Floor
from playwright.sync_api import Page, expect

from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.queueing.appointments import read_code

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "booking"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def open_bookings(floor: Floor) -> None:
    for code, capacity in (("ho-tich", 3), ("dat-dai", 2)):
        response = floor.api.call(
            "PATCH", f"/services/{code}", "admin", json={"appointment_capacity": capacity}
        )
        assert response.status_code == 200, response.json


def working_day() -> str:
    """The next Monday–Friday working day at the centre (days ahead are bookable)."""
    calendar = WorkingCalendar()
    day = running_time().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=1)
    while day.weekday() >= 5 or not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day.isoformat()


def qr_text(page: Page, selector: str) -> str:
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(page.locator(selector).screenshot()))
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code on the page"
    return str(found[0].text)


def _choose(page: Page, day: str) -> None:
    page.select_option("#service", "ho-tich")
    page.select_option("#day", day)
    expect(page.locator("#slots button").first).to_be_visible()


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_a_visitor_books_on_the_phone_and_gets_a_code_and_qr(
    browser: Any, floor: Floor, shots: Path, name: str, viewport: dict[str, int]
) -> None:
    open_bookings(floor)
    day = working_day()
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{floor.server.url}/dat-lich")
    expect(page.locator("#service option")).to_have_count(2)
    _choose(page, day)
    first = page.locator("#slots button").first
    expect(first).to_contain_text("07:00")
    expect(first).to_contain_text("còn 3")
    page.screenshot(path=str(shots / f"{name}-booking-vi.png"), full_page=True)
    page.click("[data-lang-toggle]")
    expect(page.locator("label[for=phone]")).to_have_text("Mobile phone number")
    expect(first).to_contain_text("3 left")
    page.screenshot(path=str(shots / f"{name}-booking-en.png"), full_page=True)
    page.click("[data-lang-toggle]")

    page.locator("#slots button").nth(4).click()
    page.fill("#phone", "0212 345 678")
    page.click("#submit")
    expect(page.locator("#error")).to_contain_text("số điện thoại di động Việt Nam")
    page.screenshot(path=str(shots / f"{name}-booking-bad-phone-vi.png"), full_page=True)
    page.fill("#phone", "0912 345 678")
    page.fill("#name", "Nguyễn Thị Hoa")
    page.click("#submit")
    expect(page.locator("#done")).to_be_visible()
    code = page.locator("#code").inner_text()
    assert read_code(code) == code
    expect(page.locator("#when")).to_contain_text("09:00")
    expect(page.locator("#what")).to_have_text("Hộ tịch")
    assert page.locator("#qr").evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert read_code(qr_text(page, "#qr")) == code
    page.screenshot(path=str(shots / f"{name}-booking-done-vi.png"), full_page=True)

    page.click("#manage")
    expect(page.locator(".code")).to_have_text(code)
    page.screenshot(path=str(shots / f"{name}-booking-code-vi.png"), full_page=True)
    page.fill("#phone", "0987 654 321")
    page.click("#cancel button[type=submit]")
    expect(page.locator("#error")).to_contain_text("Không tìm thấy lịch hẹn")
    page.fill("#phone", "0912345678")
    page.click("#cancel button[type=submit]")
    expect(page.locator("#cancelled")).to_be_visible()
    page.screenshot(path=str(shots / f"{name}-booking-cancelled-vi.png"), full_page=True)
    slots = floor.api.call("GET", f"/appointments/slots?service=ho-tich&date={day}").json
    assert {s["free"] for s in slots["slots"]} == {3}


def test_the_phone_page_takes_the_id_number_and_keeps_only_its_keyed_hash(
    browser: Any, floor: Floor, shots: Path
) -> None:
    from sqlalchemy import select

    from queue_server.adapters.tables import appointments

    id_number = "001088000123"
    open_bookings(floor)
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{floor.server.url}/dat-lich")
    _choose(page, working_day())
    expect(page.locator("label[for=id_number]")).to_contain_text("Số định danh cá nhân (CCCD)")
    expect(page.locator("#book")).to_contain_text("Nghị định 13/2023")
    page.locator("#slots button").nth(6).click()
    page.fill("#phone", "0912 345 699")
    page.fill("#id_number", "0010 8800 012")
    page.click("#submit")
    expect(page.locator("#error")).to_contain_text("12 chữ số")
    page.fill("#id_number", "0010 8800 0123")
    page.screenshot(path=str(shots / "phone-booking-id-number-vi.png"), full_page=True)
    page.click("#submit")
    expect(page.locator("#done")).to_be_visible()
    code = page.locator("#code").inner_text()
    runtime = floor.api.runtime
    with runtime.uow(readonly=True) as uow:
        row = uow.session.execute(select(appointments).where(appointments.c.code == code)).one()
    assert row.id_hash == runtime.id_key.digest(id_number)
    assert id_number not in str(tuple(row))
