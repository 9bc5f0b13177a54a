"""The browser hall board speaks: each call's announcement, rendered by the server, is
played in the order of the calls, never two at once, a recall heard again, in the
reading the centre set at the time of the call (a changed setting names other audio). Read from
the media elements' own ``play`` and ``ended`` events, in Chromium started as the
kiosk session starts it (sound without a touch)."""

from __future__ import annotations

import re
import shutil
from typing import Any
from urllib.parse import quote

import pytest
import requests
from floor import Floor
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]

#: Every media element the page plays logs its own events into window.mediaLog.
MEDIA_LOG = """
window.mediaLog = [];
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (!this.logged) {
    this.logged = true;
    for (const type of ["play", "ended", "error"]) {
      this.addEventListener(type, () => window.mediaLog.push(
        type + " " + ((url) => url.pathname + url.search)(new URL(this.currentSrc || this.src))));
    }
  }
  return realPlay.call(this);
};
"""


#: The centre's reading until a technician changes it.
DIGITS = "mode=digits&variant=north"


class Desk:
    """The officer at counter 3 and the kiosk, over HTTP to the live server."""

    def __init__(self, floor: Floor) -> None:
        self.url = floor.server.url + "/api/v1"
        self.officer = {"Authorization": f"Bearer {floor.token('officer')}"}
        self.kiosk = {"Authorization": f"Bearer {floor.token('kiosk')}"}
        self.counter = f"{self.url}/counters/{floor.api.counters[3]}"

    def issue(self) -> str:
        answer = requests.post(
            self.url + "/tickets", json={"service": "ho-tich"}, headers=self.kiosk, timeout=10
        )
        assert answer.status_code == 201, answer.text
        number: str = answer.json()["number"]
        return number

    def set_voice(self, floor: Floor, **voice: str) -> None:
        technician = {"Authorization": f"Bearer {floor.token('technician')}"}
        answer = requests.patch(
            self.url + "/site/voice", json=voice, headers=technician, timeout=10
        )
        assert answer.ok, answer.text

    def act(self, action: str) -> None:
        answer = requests.post(f"{self.counter}/{action}", headers=self.officer, timeout=10)
        assert answer.ok, answer.text


def heard(page: Any, count: int) -> list[str]:
    """The media log once ``count`` announcements have ended (or failed)."""
    page.wait_for_function(
        "(count) => window.mediaLog.filter((e) => !e.startsWith('play')).length >= count",
        arg=count,
        timeout=90_000,
    )
    log: list[str] = page.evaluate("window.mediaLog")
    return log


def test_three_quick_calls_and_a_recall_are_heard_in_order_one_at_a_time(
    voiced_browser: Any, floor: Floor
) -> None:
    desk = Desk(floor)
    desk.act("sign-in")
    numbers = [desk.issue() for _ in range(3)]
    context = voiced_browser.new_context()
    context.add_init_script(MEDIA_LOG)
    page = context.new_page()
    page.goto(f"{floor.server.url}/board")
    expect(page.locator("body")).to_have_attribute("data-link", "live")

    for _ in numbers:
        desk.act("call-next")
    # The technician has numbers read as numbers, the southern way: the recall says so.
    desk.set_voice(floor, announcement_mode="number", announcement_variant="south")
    desk.act("recall")

    log = heard(page, 4)
    said = [f"call/{quote(n)}/3.wav?{DIGITS}" for n in numbers]
    said.append(f"recall/{quote(numbers[2])}/3.wav?mode=number&variant=south")
    assert log == [
        f"{event} /api/v1/announcements/{path}" for path in said for event in ("play", "ended")
    ]
    expect(page.locator("#calls li").first).to_contain_text(numbers[2])
    context.close()


def test_a_hung_announcement_gives_up_its_turn_and_stale_ones_are_dropped(
    voiced_browser: Any, floor: Floor
) -> None:
    """The first clip's fetch never answers: after 30 s the queue moves on, and the two
    calls behind it, by then over a minute old, are not read out; the next call is."""
    desk = Desk(floor)
    desk.act("sign-in")
    numbers = [desk.issue() for _ in range(4)]
    context = voiced_browser.new_context()
    context.add_init_script(MEDIA_LOG)
    page = context.new_page()
    held: list[Any] = []
    first = re.compile(rf"/announcements/call/{quote(numbers[0])}/3\.wav\?")
    page.route(first, lambda r: held.append(r))
    page.goto(f"{floor.server.url}/board")
    expect(page.locator("body")).to_have_attribute("data-link", "live")

    for _ in numbers[:3]:
        desk.act("call-next")
    expect(page.locator("#calls li")).to_have_count(3)
    assert heard_so_far(page) == [
        f"play /api/v1/announcements/call/{quote(numbers[0])}/3.wav?{DIGITS}"
    ]
    # A minute on, the link (silent as long) reconnects; the clip is still unanswered.
    with page.expect_response(lambda r: "/events/recent-calls" in r.url):
        page.clock.fast_forward(61_000)
    expect(page.locator("body")).to_have_attribute("data-link", "live")
    desk.act("call-next")

    log = heard(page, 1)
    assert held, "the first announcement was requested"
    fresh = f"/api/v1/announcements/call/{quote(numbers[3])}/3.wav?{DIGITS}"
    assert log[1:] == [f"play {fresh}", f"ended {fresh}"]
    context.close()


def heard_so_far(page: Any) -> list[str]:
    page.wait_for_function("() => window.mediaLog.length > 0")
    log: list[str] = page.evaluate("window.mediaLog")
    return log
