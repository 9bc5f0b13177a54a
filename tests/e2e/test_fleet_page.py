"""The fleet page in a browser: a technician signs in, pairs a device by the code it
shows, changes its configuration (the device pulls it), sees a printer out of paper
flagged live, and a device that went quiet flagged silent by the page's own re-read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from clocks import TickingClock
from floor import Floor
from playwright.sync_api import expect
from server_fixtures import PASSWORD

from device_kit.contract.device_wire import Health
from device_kit.fleet import DeviceAgent

KIOSK = "kiosk-sanh-1"
TICKETS = {"role": "kiosk-ticket", "version": "1.4.0", "scanner": "ok"}


def test_technician_pairs_configures_and_watches_the_fleet(
    browser: Any, floor: Floor, shots: Path, clock: Any, ticking_clock: TickingClock
) -> None:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.clock.install()  # the page's 30 s re-read runs on this clock
    page.goto(f"{floor.server.url}/admin/devices")
    page.fill("input[name=username]", "technician")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{floor.server.url}/admin/devices")
    expect(page.locator("body")).to_have_attribute("data-link", "live")
    expect(page.locator("#fleet-summary")).to_contain_text("Chưa có thiết bị nào")

    # Pair: the device shows a code, the technician types it with a name.
    agent = DeviceAgent(floor.server.url, "kiosk", hardware="Mini PC N100 #7")
    page.fill("#pair input[name=code]", agent.request_code())
    page.fill("#pair input[name=name]", KIOSK)
    page.click("#pair button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text(f"Đã ghép nối «{KIOSK}»")
    assert agent.config() == {}
    row = page.locator(f"tr[data-device='{KIOSK}']")
    expect(row.locator(".badge")).to_have_text("Chưa kết nối")
    assert agent.heartbeat(Health(printer="ok", uptime_s=3720, **TICKETS)) == 1

    # Configure: the printer moves to the network; the device learns it from its heartbeat.
    row.locator("a.name").click()
    page.fill("input[name=printer_url]", "tcp://127.0.0.1:9100")
    page.select_option("select[name=paper]", "80")
    page.fill("input[name=scanners]", "camera:0, hid")
    page.click("#config button[type=submit]")
    expect(page.locator(".flash.ok")).to_contain_text("Đã lưu cấu hình (phiên bản 2)")
    page.screenshot(path=str(shots / "fleet-device.png"), full_page=True)
    assert agent.heartbeat(Health(printer="ok", uptime_s=3750, **TICKETS)) == 2 > agent.revision
    assert agent.config() == {
        "printer_url": "tcp://127.0.0.1:9100", "paper": 80, "scanners": ["camera:0", "hid"]
    }

    # Paper out: the kiosk beats at once, and the open page shows it without a reload.
    page.click("text=Danh sách thiết bị")
    expect(row.locator(".badge")).to_have_text("Hoạt động tốt")
    agent.heartbeat(Health(printer="paper_out", detail="Máy in hết giấy", uptime_s=3760, **TICKETS))
    expect(row.locator(".badge")).to_have_text("Có sự cố")
    expect(row).to_contain_text("Máy in: hết giấy")
    expect(row).to_contain_text("Máy in hết giấy")
    expect(page.locator("#fleet-summary")).to_have_text(
        "1 thiết bị cần kiểm tra 1 device needs attention"
    )

    # A hall board last heard from three minutes ago sends nothing more: no event, so
    # the page's 30 s re-read is what flags it.
    clock.now = ticking_clock() - timedelta(minutes=3)
    board = floor.api.call("POST", "/devices/me/heartbeat", "board", json={
        "role": "hall-board", "version": "1.4.0", "uptime_s": 86_400 + 7200,
    })
    assert board.status_code == 200
    page.clock.fast_forward(31_000)
    board_row = page.locator("tr[data-device='board-1']")
    expect(board_row.locator(".badge")).to_have_text("Mất liên lạc")
    expect(board_row).to_contain_text("3 phút trước")
    expect(page.locator("#fleet-summary")).to_contain_text("2 thiết bị cần kiểm tra")
    assert page.locator("tr.device").evaluate_all("rows => rows.map(r => r.dataset.device)") == [
        "board-1", KIOSK
    ]
    expect(page.locator("body")).to_have_attribute("data-link", "live")
    page.screenshot(path=str(shots / "fleet-list.png"), full_page=True)
