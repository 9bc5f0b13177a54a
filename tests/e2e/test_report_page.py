"""The reports page in chromium: a supervisor signs in, sees a month's figures, charts
and tables, switches to English, and downloads the Excel file; an officer is refused.
Screenshots land in tests/artifacts/reports/."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from report_activity import Activity, generate_activity
from server_fixtures import PASSWORD, build_runtime, seed_callers
from werkzeug.serving import make_server

from queue_server.app import create_app

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "reports"


@pytest.fixture
def site(tmp_path: Path, clock: Any) -> Iterator[tuple[str, Activity]]:
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    runtime = build_runtime(f"sqlite:///{tmp_path / 'motcua.db'}", None, tmp_path, clock)
    seed_callers(runtime)
    activity = generate_activity(
        runtime, date(2026, 11, 1), date(2026, 11, 30), per_service_day=8, dossier_count=60
    )
    app = create_app(runtime=runtime)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", activity
    server.shutdown()
    thread.join(timeout=5)
    runtime.db.dispose()


def _sign_in(page: Page, url: str, who: str) -> None:
    page.goto(f"{url}/reports")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")


def test_supervisor_sees_the_month_with_charts_and_downloads_excel(
    browser: Any, site: tuple[str, Activity], tmp_path: Path
) -> None:
    url, activity = site
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    _sign_in(page, url, "supervisor")
    page.fill("input[name=from]", "2026-11-01")
    page.click("#filters button[type=submit]")
    expect(page.locator("#report-title")).to_contain_text("Tháng 11/2026")
    issued = sum(1 for t in activity.tickets if t["transferred_from_id"] is None)
    expect(page.locator(".card .value").first).to_have_text(f"{issued:,}".replace(",", "."))
    assert page.locator("#chart-daily rect").count() > 40
    assert page.locator("#chart-heat rect").count() == 7 * 11  # 07h..17h
    expect(page.locator("#tables")).to_contain_text("Nguyễn Thị Hương")
    expect(page.locator("#tables")).to_contain_text("Theo cán bộ")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "page-vi.png"), full_page=True)

    page.click("[data-lang-toggle]")
    expect(page.locator("#tables h2").first).to_have_text("By service")
    page.screenshot(path=str(SHOTS / "page-en.png"))

    with page.expect_download() as waiting:
        page.click("[data-export=xlsx]")
    download = waiting.value
    assert download.suggested_filename == "bao-cao-month-2026-11-01-2026-11-30.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    page.close()


def test_an_officer_cannot_open_reports(browser: Any, site: tuple[str, Activity]) -> None:
    url, _ = site
    page = browser.new_page()
    _sign_in(page, url, "officer")
    expect(page.locator("#toast")).to_have_text("Tài khoản này không xem được báo cáo.")
    expect(page.locator("#signin")).to_be_visible()
    expect(page.locator("#board")).to_be_hidden()
    page.close()
