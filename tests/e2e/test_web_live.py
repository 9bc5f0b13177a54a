"""The pages in a real browser against the real server: an officer calls, the hall
board and a visitor's phone follow live, and everything recovers from a restart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests
from floor import Floor
from playwright.sync_api import Page, expect
from server_fixtures import PASSWORD

BOARD_SIZES = {"1920x1080": (1920, 1080), "1366x768": (1366, 768)}


def issue(floor: Floor, service: str = "ho-tich") -> dict[str, Any]:
    response = requests.post(
        f"{floor.server.url}/api/v1/tickets",
        json={"service": service},
        headers={"Authorization": f"Bearer {floor.token('kiosk')}"},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return response.json()


def open_page(browser: Any, url: str, width: int, height: int, **options: Any) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.goto(url)
    return page


def sign_in_at_counter(page: Page, counter: int) -> None:
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.click(f"#counter-list button[data-counter='{counter}']")
    expect(page.locator("#desk")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-link", "live")


def board_tile(page: Page, counter: int) -> Any:
    return page.locator(f".tile[data-counter='{counter}'] .tile-number")


def test_a_call_reaches_the_board_and_the_tracking_phone_live(
    browser: Any, floor: Floor, shots: Path
) -> None:
    first, second = issue(floor), issue(floor)
    board = open_page(browser, f"{floor.server.url}/board", *BOARD_SIZES["1920x1080"])
    phone = open_page(
        browser,
        f"{floor.server.url}/t/{second['track_token']}",  # loopback: never printed
        390,
        844,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    console = open_page(browser, f"{floor.server.url}/counter", 1366, 768)
    expect(board.locator("body")).to_have_attribute("data-link", "live")
    expect(phone.locator("#ahead")).to_have_text("1")
    phone.screenshot(path=str(shots / "tracking-phone-waiting.png"))
    sign_in_at_counter(console, 3)

    with console.expect_response(lambda r: r.url.endswith("/call-next")) as called:
        console.click("#next")
    assert called.value.status == 200
    # Acceptance: the board shows the call within 1 s of the call, without reload.
    expect(board_tile(board, 3)).to_have_text(first["number"], timeout=1000)
    expect(board.locator("#calls li").first).to_contain_text(first["number"])
    expect(console.locator("#current-number")).to_have_text(first["number"])
    expect(phone.locator("#ahead")).to_have_text("0")

    console.keyboard.press("n")  # the shortcut calls the tracked ticket
    # The first visitor was called but never started: the console asks, and they were served.
    console.click("#confirm-done")
    expect(phone.locator("#state")).to_contain_text("quầy 3")
    expect(board_tile(board, 3)).to_have_text(second["number"])

    console.screenshot(path=str(shots / "console.png"))
    phone.screenshot(path=str(shots / "tracking-phone.png"))
    board.screenshot(path=str(shots / "board-1920x1080.png"))
    small = open_page(browser, f"{floor.server.url}/board", *BOARD_SIZES["1366x768"])
    expect(board_tile(small, 3)).to_have_text(second["number"])
    small.screenshot(path=str(shots / "board-1366x768.png"))


def test_board_and_console_recover_after_a_server_restart(
    browser: Any, floor: Floor, shots: Path
) -> None:
    issue(floor)
    board = open_page(browser, f"{floor.server.url}/board", 1366, 768)
    console = open_page(browser, f"{floor.server.url}/counter", 1366, 768)
    sign_in_at_counter(console, 3)
    console.click("#next")
    expect(board_tile(board, 3)).to_have_text("B001")

    floor.server.kill()
    expect(console.locator("#banner")).to_be_visible()
    # While the server is down the floor moves on (another process, same database).
    floor.api.issue("ho-tich")
    assert floor.api.desk(3, "call-next").status_code == 200
    floor.server.start()

    expect(board_tile(board, 3)).to_have_text("B002", timeout=15_000)
    expect(console.locator("#current-number")).to_have_text("B002", timeout=15_000)
    expect(console.locator("#banner")).to_be_hidden()
    # And the live stream works again after the recovery.
    issue(floor)
    console.click("#next")
    console.click("#confirm-done")  # B002 was called, never started
    expect(board_tile(board, 3)).to_have_text("B003")
    console.screenshot(path=str(shots / "console-after-restart.png"))
    console.click("[data-lang-toggle]")
    expect(console.locator("#next")).to_contain_text("Call next")
    console.fill("#pause-reason", "Nghỉ giải lao")
    console.click("#pause")
    expect(console.locator("#paused-note")).to_contain_text("Nghỉ giải lao")
    expect(board.locator(".tile[data-counter='3']")).to_have_class(re.compile("paused"))
    console.screenshot(path=str(shots / "console-en-paused.png"))
