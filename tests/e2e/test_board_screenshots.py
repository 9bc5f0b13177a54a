"""Screenshots of the hall board at the hall TV sizes, with 8 and 20 counters, and
of its pairing screen (tests/artifacts/board/, looked at by a person). Each is
drawn in its own process, which also reports the texts of the widgets it drew
and what the board's model says is shown: the tests compare those."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kivy_process import ROOT, headless_env
from PIL import Image

SHOTS = ROOT / "tests" / "artifacts" / "board"
AMBER = (255, 194, 8)


def drawn(kind: str, size: str, variant: str, tmp_path: Path) -> tuple[Image.Image, Any]:
    """The screenshot, and what the drawing process reported it shows."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / f"{kind}_{size}_{variant}.png"
    out.unlink(missing_ok=True)
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests/e2e/board_screens.py"), kind, size, variant, str(out)],
        env=headless_env(tmp_path / "kivy"),
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Image.open(out).convert("RGB"), json.loads(run.stdout.strip().splitlines()[-1])


def draw(kind: str, size: str, variant: str, tmp_path: Path) -> Image.Image:
    return drawn(kind, size, variant, tmp_path)[0]


@pytest.mark.parametrize("size", ["1920x1080", "1366x768"])
@pytest.mark.parametrize("counters", ["8", "20"])
def test_hall_board_screenshot(size: str, counters: str, tmp_path: Path) -> None:
    image, shown = drawn("hall", size, counters, tmp_path)
    width, height = (int(v) for v in size.split("x"))
    assert image.size == (width, height)
    # The newest call is lit: its counter tile and the first row of the last calls.
    lit = dict((rgb, n) for n, rgb in image.getcolors(maxcolors=1 << 22) or []).get(AMBER, 0)
    assert lit > width * height * 0.03
    # Each tile shows the number the model holds for its counter (a dash when none,
    # nothing when paused), and the last calls start with the newest.
    texts = shown["texts"]
    assert len(shown["tiles"]) == int(counters)
    for tile in shown["tiles"]:
        heading = texts.index(f"QUẦY {tile['number']} · COUNTER {tile['number']}")
        assert texts[heading + 1] in ({tile["current"]} if tile["current"] else {"—", ""}), tile
    assert texts[texts.index("SỐ VỪA GỌI\nLast calls") + 1] == shown["newest"]
    # The newest is a parked visitor called back: told to return, not just to go.
    assert texts[texts.index("SỐ VỪA GỌI\nLast calls") + 2] == "QUAY LẠI\nQUẦY 8"


def test_pairing_screen_screenshot(tmp_path: Path) -> None:
    image, shown = drawn("pairing", "1920x1080", "482913", tmp_path)
    assert image.size == (1920, 1080)
    assert "482 913" in shown["texts"]  # in two groups of three, easier to read out
    # The code is drawn big in amber (as the screen draws it, unblended) on the dark panel,
    # above the room kept for the server CA's fingerprint.
    colours = dict((rgb, n) for n, rgb in image.getcolors(maxcolors=1 << 22) or [])
    assert colours.get((255, 193, 7), 0) > 1920 * 1080 * 0.015
