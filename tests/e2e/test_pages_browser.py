"""The pages people meet, in chromium at 1366×768: the landing page, a missing page, a
page a technician may not open, a locked sign-in, and a tracking page through its
states, each in Vietnamese and switched to English. Screenshots land in
tests/artifacts/pages/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from floor import Floor
from playwright.sync_api import Page, expect
from server_fixtures import PASSWORD

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "pages"
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def pages() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def _fresh(browser: Any) -> Page:
    """A page with Vietnamese chosen (the toggle is remembered per browser)."""
    return browser.new_context(viewport=SCREEN).new_page()


def test_landing_and_error_pages_read_in_both_languages(
    browser: Any, floor: Floor, pages: Path
) -> None:
    url = floor.server.url
    page = _fresh(browser)
    page.goto(f"{url}/")
    expect(page.locator("h1")).to_have_text("Chọn trang làm việc")
    for tile, href in (("board", "/board"), ("counter", "/counter"), ("fleet", "/admin/devices"),
                       ("admin", "/admin"), ("reports", "/reports")):
        expect(page.locator(f"#to-{tile}")).to_have_attribute("href", href)
    page.screenshot(path=str(pages / "home-vi.png"))
    page.click("[data-lang-toggle]")
    expect(page.locator("#to-counter strong")).to_have_text("Counter console")
    page.screenshot(path=str(pages / "home-en.png"))
    page.click("[data-lang-toggle]")

    page.goto(f"{url}/khong-co-trang-nay")
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    page.screenshot(path=str(pages / "404-vi.png"))
    page.click("[data-lang-toggle]")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator(".ways a").first).to_have_text("Home")
    page.click("[data-lang-toggle]")
    page.click(".ways a")
    expect(page).to_have_url(f"{url}/")

    page.goto(f"{url}/admin")
    page.fill("input[name=username]", "technician")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{url}/admin/devices")
    page.goto(f"{url}/admin")
    expect(page.locator("h1")).to_have_text("Không có quyền truy cập")
    expect(page.locator(".hint")).to_contain_text("Tài khoản kỹ thuật viên dùng trang Thiết bị")
    page.screenshot(path=str(pages / "403-technician-vi.png"))
    page.click(".ways a.primary")
    expect(page).to_have_url(f"{url}/admin/devices")

    locked = _fresh(browser)
    locked.goto(f"{url}/admin/login")
    for _ in range(6):
        locked.fill("input[name=username]", "admin")
        locked.fill("input[name=password]", "khong-dung-mat-khau")
        locked.click("button[type=submit]")
        if locked.locator(".plain-card").count():
            break
    expect(locked.locator("h1")).to_have_text("Tạm khóa đăng nhập")
    expect(locked.locator(".explanation")).to_contain_text("hãy thử lại sau 15 phút")
    locked.screenshot(path=str(pages / "locked-vi.png"))
    locked.click("[data-lang-toggle]")
    expect(locked.locator("h1")).to_have_text("Sign-in locked")
    expect(locked.locator(".explanation")).to_contain_text("try again in 15 minutes")
    locked.screenshot(path=str(pages / "locked-en.png"))


def test_the_tracking_page_says_every_state_in_words(
    browser: Any, floor: Floor, pages: Path
) -> None:
    api = floor.api
    ticket = api.issue("ho-tich")
    page = _fresh(browser)
    page.goto(f"{floor.server.url}/t/{ticket['track_token']}")
    state = page.locator("#state")
    expect(state).to_have_text("Đang chờ đến lượt")
    page.screenshot(path=str(pages / "track-waiting-vi.png"))
    steps = [
        ("call-next", "Mời Ông/Bà đến quầy 3", "called"),
        ("start", "Đang được phục vụ tại quầy 3", "serving"),
        ("finish", "Đã hoàn thành. Cảm ơn Ông/Bà!", "done"),
    ]
    for action, words, name in steps:
        answer = api.desk(3, action, json={})
        assert answer.status_code == 200, answer.json
        expect(state).to_have_text(words)
        page.screenshot(path=str(pages / f"track-{name}-vi.png"))
    page.click("[data-lang-toggle]")
    expect(state).to_have_text("Done. Thank you!")
    page.screenshot(path=str(pages / "track-done-en.png"))
    page.click("[data-lang-toggle]")

    missed = api.issue("ho-tich")
    page.goto(f"{floor.server.url}/t/{missed['track_token']}")
    assert api.desk(3, "call-next", json={}).status_code == 200
    assert api.desk(3, "no-show", json={}).status_code == 200
    expect(state).to_contain_text("Đã qua lượt vì vắng mặt")
    page.screenshot(path=str(pages / "track-no-show-vi.png"))
    assert "no_show" not in state.inner_text()
