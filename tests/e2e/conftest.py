"""Browser fixtures: Debian's chromium driven by Playwright, and a seeded live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clocks import running_time
from floor import Floor
from live_server import LiveServer
from server_fixtures import Api, build_runtime, seed_callers
from tls_centre import impostor  # noqa: F401 - a TLS server with its own CA

from queue_server.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: How deploy/kiosk/motcua-session starts the browser hall board: it speaks without a touch.
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
#: How long a page's expected state may take to appear. A deadline, not a wait: a
#: page that is right passes at once. Playwright's 5 s default failed a month's
#: report on a CI-like box with two CPU hogs beside the suite.
EXPECT_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield OnTestClock(browser)
        browser.close()


@pytest.fixture(scope="session")
def voiced_browser(browser: Any) -> Iterator[Any]:
    """Chromium started like the hall board's kiosk session: it may play sound at once."""
    voiced = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, AUTOPLAY]
    )
    yield OnTestClock(voiced)
    voiced.close()


class OnTestClock:
    """The browser on the suite's ticking clock, like every process a test starts: a
    page that reckons "called 3 minutes ago" or today's date from ``Date.now()`` reads
    the live server's time, not the machine's. The clock ticks on by itself."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.clock.install(time=running_time())
        return context

    def new_page(self, **options: Any) -> Any:
        context = self.new_context(**options)
        page = context.new_page()
        page.on("close", lambda _page: context.close())
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def floor(tmp_path: Path, clock: Any) -> Iterator[Floor]:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, clock)
    tokens, counters = seed_callers(runtime)
    api = Api(create_app(runtime=runtime).test_client(), runtime, tokens, counters)
    server = LiveServer(url, tmp_path).start()
    yield Floor(server, api)
    server.kill()  # open event streams would hold a graceful stop for its full timeout
    runtime.db.dispose()
