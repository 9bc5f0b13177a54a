"""The table of hall-board cases (board_cases.json) that the Kivy board's model and
the browser board must both pass, and the snapshot each case's short form stands for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CASES: list[dict[str, Any]] = json.loads(
    Path(__file__).with_name("board_cases.json").read_text("utf-8")
)["cases"]
IDS = [case["name"] for case in CASES]


def full_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The case's short snapshot as the server's ``GET /queue`` gives it."""
    counters = [
        {"id": 100 + row["number"], "name": f"Quầy {row['number']}", "pause_reason": None, **row}
        for row in snapshot["counters"]
    ]
    return {"site": "default", "last_event_id": snapshot["last_event_id"], "counters": counters}
