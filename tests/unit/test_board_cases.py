"""The Kivy board's model passes the table of board cases the browser board passes
too (tests/board_cases.json), so the two boards cannot drift apart again."""

from __future__ import annotations

from typing import Any

import pytest
from board_cases import CASES, IDS, full_snapshot

from device_kit.event_stream import Event
from display_board.board_state import BoardModel


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_kivy_board_passes_the_shared_case(case: dict[str, Any]) -> None:
    model = BoardModel()
    for step in case["steps"]:
        if "snapshot" in step:
            model.apply_snapshot(full_snapshot(step["snapshot"]))
        else:
            event = step["event"]
            model.apply(Event(event["id"], event["kind"], event["data"]))
    shown = {
        str(tile.number): {"number": tile.current, "paused": tile.paused}
        for tile in model.tiles()
    }
    calls = [
        f"{call.number}@{call.counter}" + (" back" if call.returning else "")
        for call in model.recent
    ]
    assert {"counters": shown, "calls": calls} == case["expect"]
