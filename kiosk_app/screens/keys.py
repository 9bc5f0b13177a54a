"""On-screen keyboards: a grid of big keys (each at least 15 mm) and a backspace."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kivy.factory import Factory

BACKSPACE = "⌫"
SPACE = "␣"  # a visible key for the space bar


def fill_keys(
    grid: Any, rows: Iterable[str], on_char: Callable[[str], None], on_back: Callable[[], None]
) -> None:
    """Add one KeyButton per character of ``rows`` to ``grid``, then a backspace key."""
    for row in rows:
        for char in row:
            button = Factory.KeyButton(text=char)
            button.bind(on_release=lambda b: on_char(" " if b.text == SPACE else b.text))
            grid.add_widget(button)
    backspace = Factory.KeyButton(text=BACKSPACE)
    backspace.bind(on_release=lambda _b: on_back())
    grid.add_widget(backspace)
