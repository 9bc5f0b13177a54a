"""The browser hall board passes the table of board cases the Kivy board passes
(tests/board_cases.json). The page runs its real board.js against canned answers
from the server's API; the live link is replaced by a stub that lets the test
trigger each resync and event in turn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from board_cases import CASES, IDS, full_snapshot
from floor import Floor

from device_kit.contract.events import CALL_KINDS, for_pages

LIVE_JS = Path(__file__).parents[2] / "queue_server" / "web" / "static" / "live.js"
# The real live.js (EVENT_KINDS, apiFetch), its link held still: the test drives it.
LINK_STUB = LIVE_JS.read_text("utf-8").replace("class LiveLink {", "class RealLiveLink {") + (
    "class LiveLink { constructor(options) { window.boardLink = options; } }\n"
)
SHOWN = """() => {
  const counters = {};
  for (const [number, tile] of tiles) {
    counters[number] = {
      number: tile.ticket ? tile.ticket.number : null,
      paused: tile.element.classList.contains("paused"),
    };
  }
  return {counters, calls: calls.map(
    (call) => call.number + "@" + call.counter + (call.returning ? " back" : ""),
  )};
}"""


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_browser_board_passes_the_shared_case(
    browser: Any, floor: Floor, case: dict[str, Any]
) -> None:
    answers: dict[str, Any] = {
        "site": {"name_vi": "Trung tâm", "name_en": "Centre", "timezone": "Asia/Ho_Chi_Minh"},
        "queue": None,
        "events/recent-calls": {"calls": []},
    }
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.route("**/static/web/live.js", lambda route: route.fulfill(
        body=LINK_STUB, content_type="application/javascript"
    ))
    for name in answers:
        page.route(f"**/api/v1/{name}", lambda route, _request, name=name: route.fulfill(
            body=json.dumps(answers[name]), content_type="application/json"
        ))
    page.goto(f"{floor.server.url}/board")
    page.wait_for_function("window.boardLink !== undefined")
    seen_calls: list[dict[str, Any]] = []
    for step in case["steps"]:
        if "snapshot" in step:
            answers["queue"] = full_snapshot(step["snapshot"])
            answers["events/recent-calls"] = {"calls": seen_calls[::-1]}
            page.evaluate("boardLink.resync()")
            continue
        event = step["event"]
        if event["kind"] in CALL_KINDS:
            seen_calls.append({"id": event["id"], "kind": event["kind"], **event["data"]})
        page.evaluate("(e) => onEvent(e.kind, e.data, e.id)", event)
    assert page.evaluate(SHOWN) == case["expect"]
    page.context.close()


def test_the_page_follows_the_kinds_of_the_contract(browser: Any, floor: Floor) -> None:
    """live.js reads its event kinds from the server's contract, not from a copy."""
    page = browser.new_context().new_page()
    page.goto(f"{floor.server.url}/board")
    assert page.evaluate("EVENT_KINDS") == for_pages()
    page.context.close()

