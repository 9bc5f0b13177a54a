"""Screenshots of the rating terminal at 800x480 and 1280x800 (tests/artifacts/board/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_board_screenshots import draw

FACE_COLOURS = {(33, 161, 69), (41, 128, 217), (217, 51, 41)}


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
@pytest.mark.parametrize("step", ["idle", "ask", "reasons", "thanks"])
def test_rating_terminal_screenshot(size: str, step: str, tmp_path: Path) -> None:
    image = draw("rating", size, step, tmp_path)
    assert image.size == tuple(int(v) for v in size.split("x"))
    colours = {rgb for _, rgb in image.getcolors(maxcolors=1 << 22) or []}
    if step == "ask":
        assert FACE_COLOURS <= colours  # the three faces are drawn
    elif step in ("idle", "thanks"):
        assert not FACE_COLOURS & colours
