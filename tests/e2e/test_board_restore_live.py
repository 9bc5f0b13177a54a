"""A hall board (re)started mid-day lists the calls made before it started, newest
first, read from the server with its board token before any new event arrives; it
announces none of them and goes on with the live calls. Its screenshot is saved in
tests/artifacts/board/ for a person to look at."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from kivy_process import ROOT, KivyProcess, headless_env, read_jsonl, wait_for
from PIL import Image

if TYPE_CHECKING:
    from floor import Floor

pytestmark = pytest.mark.timeout(180)

SHOT = ROOT / "tests" / "artifacts" / "board" / "hall_restored_1366x768.png"


def board_process(floor: Floor, workdir: Path) -> KivyProcess:
    board = KivyProcess(
        [
            "-m", "display_board.main", "--server", floor.server.url,
            "hall", "--windowed", "--size", "1366x768",
            "--audio", "wav", "--wav-dir", str(workdir / "announcements"),
            "--announce-max-age", "600", "--trace", str(workdir / "trace.jsonl"),
        ],
        workdir,
        "board",
    )
    board.env |= {"MOTCUA_TOKEN": floor.token("board"), "MOTCUA_BOARD_DIR": str(workdir / "box")}
    return board


def listed(frames: list[dict[str, Any]]) -> list[list[str]]:
    """The last calls each frame showed, skipping the frames before the first list."""
    return [frame["recent"] for frame in frames if frame["recent"]]


def test_a_board_started_after_three_calls_shows_them_in_order(
    floor: Floor, tmp_path: Path
) -> None:
    api = floor.api
    assert api.desk(3, "sign-in", "officer").status_code == 200
    numbers = [api.issue()["number"] for _ in range(4)]
    for _ in range(3):
        assert api.desk(3, "call-next", "officer").status_code == 200

    board = board_process(floor, tmp_path).start()
    trace = tmp_path / "trace.jsonl"
    try:
        wait_for(lambda: listed(read_jsonl(trace)), 60, "the last calls: " + board.tail())
        # Whole from the first frame that lists any: filled before the live events.
        assert listed(read_jsonl(trace))[0] == [numbers[2], numbers[1], numbers[0]]
        assert read_jsonl(trace)[-1]["numbers"][2] == numbers[2]

        officer = {"Authorization": f"Bearer {floor.token('officer')}"}
        answer = requests.post(
            f"{floor.server.url}/api/v1/counters/{api.counters[3]}/call-next",
            headers=officer,
            timeout=10,
        )
        assert answer.ok, answer.text
        newest_first = [numbers[3], numbers[2], numbers[1], numbers[0]]
        wait_for(
            lambda: listed(read_jsonl(trace))[-1] == newest_first, 30, "the live call on top"
        )
        announced = wait_for(
            lambda: read_jsonl(tmp_path / "announcements" / "timeline.jsonl"), 30, "its voice"
        )
        assert [entry["label"] for entry in announced] == [numbers[3]]  # the past is not re-read
    finally:
        board.stop()

    # The board as it draws itself on a fresh start against this server: a screenshot.
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    SHOT.unlink(missing_ok=True)
    env = headless_env(tmp_path / "kivy-shot") | {"MOTCUA_TOKEN": floor.token("board")}
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests/e2e/board_screens.py"), "live", "1366x768",
         floor.server.url, str(SHOT)],
        env=env, check=True, capture_output=True, text=True, timeout=120,
    )
    shown = json.loads(run.stdout.strip().splitlines()[-1])
    assert shown["recent"] == newest_first
    texts = shown["texts"]
    heading = texts.index("SỐ VỪA GỌI\nLast calls")
    drawn = [text for text in texts[heading:] if text in numbers]
    assert drawn == newest_first
    assert Image.open(SHOT).size == (1366, 768)
