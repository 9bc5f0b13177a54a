"""The admin sub-pages in Chromium, as an administrator uses them in a normal year:
create an account, disable it after the question, bring it back, reset its password;
edit a service's hours with the preview in words, add and retire a counter; filter
the audit log; enter a day of the yearly notice; import a spreadsheet with a bad row.
Each page is saved at 1366×768 and 1920×1080 under tests/artifacts/admin/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from floor import Floor
from playwright.sync_api import Page, expect
from server_fixtures import PASSWORD
from test_connector_import import upstream_rows, xlsx

SCREENS = ((1366, 768), (1920, 1080))


@pytest.fixture
def admin_shots() -> Path:
    folder = Path(__file__).resolve().parents[1] / "artifacts" / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def snap(page: Page, folder: Path, name: str) -> None:
    """The page as it is, at each screen size (the top of the page: what one sees)."""
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}x{height}.png"))
    page.set_viewport_size({"width": SCREENS[0][0], "height": SCREENS[0][1]})


def signed_in(browser: Any, floor: Floor) -> Page:
    page: Page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{floor.server.url}/admin/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#site")).to_be_visible()
    return page


def test_accounts_are_created_disabled_after_a_question_and_reset(
    browser: Any, floor: Floor, admin_shots: Path
) -> None:
    page = signed_in(browser, floor)
    page.click("nav >> text=Tài khoản")
    expect(page.locator("#new-user")).to_contain_text("Ít nhất 10 ký tự")

    page.fill("#new-user input[name=full_name]", "Nguyễn Thị Hồng Nhung")
    page.fill("#new-user input[name=username]", "nhung")
    page.select_option("#new-user select[name=role]", "officer")
    page.fill("#new-user input[name=password]", "hoa sen trong dam 9")
    page.click("#new-user button[type=submit]")
    row = page.locator("tr[data-user=nhung]")
    expect(page.locator(".flash.ok")).to_contain_text("Đã tạo tài khoản nhung")
    expect(row).to_contain_text("Nguyễn Thị Hồng Nhung")
    expect(row).to_contain_text("Cán bộ một cửa")
    snap(page, admin_shots, "users")

    row.locator("button", has_text="Khóa tài khoản").click()
    expect(page.locator(".confirm h1")).to_contain_text("Khóa tài khoản «nhung»?")
    snap(page, admin_shots, "confirm-disable")
    page.click(".confirm button[type=submit]")
    expect(row.locator(".state")).to_contain_text("Đã khóa")

    row.locator("button", has_text="Mở lại tài khoản").click()
    expect(row.locator(".state")).to_contain_text("Hoạt động")
    row.locator("summary", has_text="Đặt lại mật khẩu").click()
    row.locator("input[name=password]").fill("mot hai ba bon nam")
    row.locator("button", has_text="Lưu mật khẩu").click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã đặt mật khẩu mới")

    page.click("[data-lang-toggle]")
    expect(page.locator("#users h2")).to_have_text("Staff accounts", use_inner_text=True)
    expect(page.locator("#users h2 .vi")).to_be_hidden()
    snap(page, admin_shots, "users-en")
    page.click("[data-lang-toggle]")


def test_a_service_and_counters_are_edited_and_a_counter_retired(
    browser: Any, floor: Floor, admin_shots: Path
) -> None:
    page = signed_in(browser, floor)
    page.click("nav >> text=Dịch vụ & quầy")
    service = page.locator("details.service[open]").first
    hours = service.locator("input[name=hours]")
    page.wait_for_load_state("load")  # the preview script listens from then on
    hours.fill("mon-fri 07:00-11:30,13:30-17:00; sat 07:30-11:00")
    expect(service.locator(".hours-words")).to_contain_text(
        "Thứ Hai–Thứ Sáu: 07:00–11:30, 13:30–17:00; Thứ Bảy: 07:30–11:00; nghỉ: Chủ Nhật",
        timeout=15_000,  # the words come from the server: a busy box answers late
    )
    hours.fill("thu hai buoi sang")
    expect(service.locator(".hours-words")).to_contain_text("Chưa đúng cú pháp")
    hours.fill("mon-sat 07:00-17:00")
    service.locator("input[name=daily_limit]").fill("150")
    service.locator("button", has_text="Lưu dịch vụ").click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã lưu dịch vụ")
    expect(page.locator("details.service").first).to_contain_text("Thứ Hai–Thứ Bảy: 07:00–17:00")

    adding = page.locator("#new-counter")
    adding.locator("input[name=number]").fill("12")
    adding.locator("input[name=name]").fill("Quầy tiếp nhận đất đai")
    adding.locator("input[name=services]").first.check()
    adding.locator("button[type=submit]").click()
    counter = page.locator("#counter-12")
    expect(counter.locator("input[name=name]")).to_have_value("Quầy tiếp nhận đất đai")
    snap(page, admin_shots, "services")

    counter.locator("button", has_text="Ngừng sử dụng").click()
    expect(page.locator(".confirm h1")).to_contain_text("Ngừng sử dụng quầy 12?")
    snap(page, admin_shots, "confirm-retire")
    page.click(".confirm button[type=submit]")
    expect(page.locator("#counter-12 .badge")).to_contain_text("Ngừng sử dụng")


def test_audit_calendar_and_feeds_pages(
    browser: Any, floor: Floor, admin_shots: Path, tmp_path: Path
) -> None:
    page = signed_in(browser, floor)
    floor.api.issue("ho-tich")

    page.click("nav >> text=Nhật ký")
    page.select_option("#audit-filter select[name=kind]", "ticket.")
    page.click("#audit-filter button[type=submit]")
    expect(page.locator("table.audit tbody tr").first).to_contain_text("ticket.issued")
    with page.expect_download() as download:
        page.click("#audit-csv")
    assert download.value.suggested_filename.endswith(".csv")
    snap(page, admin_shots, "audit")

    page.click("nav >> text=Lịch làm việc")
    year = page.locator("#calendar h2").inner_text().split()[-1]
    page.fill("#calendar-add input[name=date]", f"{year}-09-01")
    page.select_option("#calendar-add select[name=kind]", "off")
    page.fill("#calendar-add input[name=note]", "Nghỉ liền Quốc khánh (TB số 12)")
    page.click("#calendar-add button[type=submit]")
    expect(page.locator("#overrides")).to_contain_text("01/09/" + year)
    expect(page.locator("#holidays")).to_contain_text("Nghỉ liền Quốc khánh")
    snap(page, admin_shots, "calendar")

    rows = upstream_rows(floor.api, 4)
    rows[1][5] = "31/02/2024"
    sheet = tmp_path / "ho-so.xlsx"
    sheet.write_bytes(xlsx(rows))
    page.click("nav >> text=Nguồn hồ sơ")
    page.set_input_files("#import input[type=file]", str(sheet))
    page.click("#import button[type=submit]")
    expect(page.locator("#import-report")).to_contain_text("NgayTiepNhan")
    expect(page.locator("#import-report")).to_contain_text("Chưa nhập dữ liệu nào")
    snap(page, admin_shots, "feeds")
