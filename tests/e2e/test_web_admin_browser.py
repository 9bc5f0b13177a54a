"""The admin pages in a browser: sign in, change the ticker, and the hall board
shows the new text without a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from floor import Floor
from playwright.sync_api import expect
from server_fixtures import PASSWORD


def test_admin_changes_the_ticker_and_the_board_follows(
    browser: Any, floor: Floor, shots: Path
) -> None:
    board = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    board.goto(f"{floor.server.url}/board")
    expect(board.locator("body")).to_have_attribute("data-link", "live")
    admin = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    admin.goto(f"{floor.server.url}/admin")

    admin.fill("input[name=username]", "admin")
    admin.fill("input[name=password]", PASSWORD)
    admin.click("button[type=submit]")
    ticker = "Từ ngày 01/12, tiếp nhận hồ sơ đất đai cả sáng thứ Bảy."
    admin.fill("textarea[name=ticker_vi]", ticker)
    admin.click("#site button[type=submit]")

    expect(admin.locator(".flash.ok")).to_contain_text("Đã lưu")
    expect(board.locator("#ticker")).to_contain_text(ticker)
    admin.fill("#tokens input[name=name]", "bang-led-sanh")
    admin.select_option("#tokens select[name=kind]", "board")
    admin.click("#tokens form.row button[type=submit]")
    expect(admin.locator(".flash.ok")).to_contain_text("bang-led-sanh")
    admin.screenshot(path=str(shots / "admin.png"), full_page=True)
