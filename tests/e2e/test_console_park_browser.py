"""Park and resume in a real browser against the real server: the officer at counter 3
sends a visitor to pay a fee, the visitor's phone says where to come back, and the
officer at counter 4 calls them back from the parked list; the hall board says
"Mời quay lại quầy 4". Screenshots at both console sizes go to tests/artifacts/console/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from floor import Floor
from playwright.sync_api import Page, expect
from server_fixtures import PASSWORD
from test_web_live import issue, open_page

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"


def sign_in(page: Page, user: str, counter: int) -> None:
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.click(f"#counter-list button[data-counter='{counter}']")
    expect(page.locator("#desk")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-link", "live")


def test_an_officer_parks_a_visitor_and_another_counter_calls_them_back(
    browser: Any, floor: Floor
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    visitor, behind = issue(floor), issue(floor)
    phone = open_page(browser, f"{floor.server.url}/t/{visitor['track_token']}", 390, 844)
    board = open_page(browser, f"{floor.server.url}/board", 1366, 768)
    here = open_page(browser, f"{floor.server.url}/counter", 1366, 768)
    there = open_page(browser, f"{floor.server.url}/counter", 1920, 1080)
    sign_in(here, "officer", 3)
    sign_in(there, "officer2", 4)
    expect(here.locator("#park")).to_be_disabled()  # nobody at the counter yet
    here.click("#next")
    expect(here.locator("#current-number")).to_have_text(visitor["number"])

    here.select_option("#park-reason", "pay_fee")
    with here.expect_response(lambda r: r.url.endswith("/park")) as parked:
        here.click("#park")
    assert parked.value.status == 200

    expect(here.locator("#current-number")).to_have_text("—")
    expect(phone.locator("#state")).to_have_text("Đang tạm chờ — quay lại quầy 3 khi xong")
    row = there.locator(f"#parked li[data-number='{visitor['number']}']")
    expect(row).to_contain_text("Đi nộp phí, lệ phí · từ quầy 3")
    expect(here.locator("#parked li")).to_have_count(1)
    here.click("#next")  # the counter serves the one behind meanwhile
    expect(here.locator("#current-number")).to_have_text(behind["number"])
    here.screenshot(path=str(SHOTS / "park-1366x768.png"))
    there.screenshot(path=str(SHOTS / "parked-list-1920x1080.png"))
    phone.screenshot(path=str(SHOTS / "tracking-parked.png"))

    with there.expect_response(lambda r: r.url.endswith("/resume-parked")) as resumed:
        row.get_by_role("button").click()
    assert resumed.value.status == 200

    expect(there.locator("#current-number")).to_have_text(visitor["number"])
    expect(there.locator("#parked li")).to_have_count(0)
    expect(there.locator("#parked-empty")).to_be_visible()
    expect(phone.locator("#state")).to_contain_text("quầy 4")
    expect(board.locator("#calls li").first).to_contain_text(visitor["number"])
    expect(board.locator("#calls li").first).to_contain_text("Mời quay lại quầy 4")
    expect(board.locator(".tile[data-counter='4'] .tile-number")).to_have_text(visitor["number"])
    there.screenshot(path=str(SHOTS / "resumed-1920x1080.png"))
    board.screenshot(path=str(SHOTS / "board-call-back-1366x768.png"))

    # A number typed in, and the English words of the panel.
    here.click("#finish")
    there.select_option("#park-reason", "")
    there.fill("#park-other", "Đi lấy bản gốc CCCD")
    there.click("#park")
    expect(here.locator("#parked li")).to_contain_text("Đi lấy bản gốc CCCD")
    here.click("[data-lang-toggle]")
    expect(here.locator("#park-title")).to_have_text("Park a visitor")
    expect(here.locator("#parked li")).to_contain_text("from counter 4")
    here.screenshot(path=str(SHOTS / "park-english-1366x768.png"))
    here.fill("#resume-number", visitor["number"].lower())
    here.press("#resume-number", "Enter")
    expect(here.locator("#current-number")).to_have_text(visitor["number"])
    for page in (phone, board, here, there):
        page.context.close()
