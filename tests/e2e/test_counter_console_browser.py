"""The counter console's staff panels in a real browser against the real server: the
officer's full name, the waiting list in calling order that follows the floor live, the
current ticket's priority check, dossier code and transfer, and the "no-show or done?"
question before "next" on a visitor who was never served. Screenshots at 1366×768 and
1920×1080 go to tests/artifacts/console/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests
from floor import Floor
from playwright.sync_api import Page, expect
from server_fixtures import PASSWORD
from sqlalchemy import select

from queue_server.adapters.tables import tickets
from queue_server.services.auth import Role, create_user

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"
FULL_NAME = "Nguyễn Thị Lan"
CODE = "000.00.06.H56-231027-0361"


def issue(floor: Floor, service: str, priority: str | None = None, code: str | None = None) -> str:
    response = requests.post(
        f"{floor.server.url}/api/v1/tickets",
        json={"service": service, "priority": priority, "dossier_code": code},
        headers={"Authorization": f"Bearer {floor.token('kiosk')}"},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def waiting_via_api(floor: Floor, counter: int) -> list[str]:
    response = requests.get(
        f"{floor.server.url}/api/v1/counters/{floor.api.counters[counter]}/waiting",
        headers={"Authorization": f"Bearer {floor.token('admin')}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return [ticket["number"] for ticket in response.json()["tickets"]]


def last_state(floor: Floor, number: str) -> str:
    """The state of the latest entry of ``number`` (a transfer makes a second one)."""
    with floor.api.runtime.uow(readonly=True) as uow:
        query = select(tickets.c.state).where(tickets.c.number == number)
        return str(uow.session.scalars(query.order_by(tickets.c.id.desc())).first())


def add_officer(floor: Floor) -> None:
    runtime = floor.api.runtime
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        create_user(uow, site.id, "lan", Role.OFFICER, PASSWORD, runtime.clock(), FULL_NAME)
        uow.commit()


def sign_in(page: Page, counter: int) -> None:
    page.fill("input[name=username]", "lan")
    page.fill("input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.click(f"#counter-list button[data-counter='{counter}']")
    expect(page.locator("body")).to_have_attribute("data-link", "live")


def listed(page: Page) -> list[str]:
    return page.locator("#queue-rows tr").evaluate_all("rows => rows.map(r => r.dataset.number)")


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"))


def test_console_shows_who_is_next_and_what_to_check(browser: Any, floor: Floor) -> None:
    add_officer(floor)
    # Counter 4 serves civil status and social affairs, both strict. An elderly visitor
    # is sent from civil status (counter 3) to social affairs; a result-collection visitor
    # with a disability and a dossier code waits; then ten ordinary visitors.
    sent = issue(floor, "ho-tich", "elderly")
    assert floor.api.desk(3, "call", json={"number": sent}).status_code == 200
    assert floor.api.desk(3, "transfer", json={"service": "ldtbxh"}).status_code == 200
    disabled = issue(floor, "ho-tich", "disability", CODE)
    ordinary = [issue(floor, "ho-tich" if n % 2 else "ldtbxh") for n in range(10)]

    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{floor.server.url}/counter")
    sign_in(page, 4)
    expect(page.locator("#who")).to_have_text(FULL_NAME)

    # The list is the calling order the server gives: the transferred elderly visitor
    # (their original place), the priority visitor, then the others oldest first.
    expected = [sent, disabled, *ordinary]
    assert waiting_via_api(floor, 4) == expected[:10]
    expect(page.locator("#queue-rows tr")).to_have_count(10)
    assert listed(page) == expected[:10]
    assert page.locator(f"#queue-rows tr[data-number='{disabled}']").inner_text().count(CODE) == 1
    late = issue(floor, "ldtbxh")  # the thirteenth: below the ten shown
    shoot(page, "waiting-list")

    page.click("#next")
    expect(page.locator("#current-number")).to_have_text(sent)
    expect(page.locator("#fact-priority")).to_contain_text(
        "Kiểm tra giấy tờ chứng minh: người cao tuổi"
    )
    expect(page.locator("#fact-transfers")).to_contain_text("Chuyển từ Hộ tịch (quầy 3) lúc")
    expect(page.locator("#fact-dossier")).to_be_hidden()
    # The list refreshes after the call's answer: wait for it, as for the number above.
    expect(page.locator("#queue-rows tr").first).to_have_attribute("data-number", disabled)
    # The call timer reckons from the page's clock: the server's time, seconds ago.
    expect(page.locator("#timer")).to_have_text(re.compile(r"^0:\d\d$"))
    shoot(page, "current-transferred")

    # "Next" on a visitor called but never served asks first; the answer is recorded.
    page.keyboard.press("n")
    dialog = page.locator("#next-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Số {sent} đã được gọi nhưng chưa bắt đầu phục vụ")
    shoot(page, "confirm-no-show")
    page.click("#confirm-no-show")
    expect(dialog).to_be_hidden()
    expect(page.locator("#current-number")).to_have_text(disabled)
    assert last_state(floor, sent) == "no_show"

    expect(page.locator("#fact-dossier-code")).to_have_text(CODE)
    expect(page.locator("#fact-priority")).to_contain_text(
        "Kiểm tra giấy tờ chứng minh: người khuyết tật"
    )
    # Going back leaves the visitor called; starting service means "next" asks nothing.
    page.keyboard.press("n")
    page.click("#confirm-cancel")
    expect(page.locator("#current-number")).to_have_text(disabled)
    page.keyboard.press("s")
    expect(page.locator("#current-state")).to_have_text("Đang phục vụ")
    shoot(page, "current-dossier")
    page.click("[data-lang-toggle]")
    expect(page.locator("#fact-priority")).to_contain_text("Check the proof")
    shoot(page, "current-dossier-en")
    page.keyboard.press("n")
    expect(page.locator("#current-number")).to_have_text(ordinary[0])
    expect(dialog).to_be_hidden()
    assert last_state(floor, disabled) == "done"
    expect(page.locator("#queue-rows tr").last).to_have_attribute("data-number", late)
    assert listed(page) == [*ordinary[1:], late]
    # Another counter calls: the list follows the floor without a reload.
    assert floor.api.desk(3, "call-next").json["number"] == ordinary[1]
    expect(page.locator(f"#queue-rows tr[data-number='{ordinary[1]}']")).to_have_count(0)
    assert listed(page) == [*ordinary[2:], late]
