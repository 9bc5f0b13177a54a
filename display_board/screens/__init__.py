"""Kivy screens of the display board: one ``.py`` + ``.kv`` per screen."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder


def load_kv_once(kv_file: Path) -> None:
    """Load a screen's rules once per process: Kivy would apply them twice otherwise."""
    if str(kv_file) not in Builder.files:
        Builder.load_file(str(kv_file))
