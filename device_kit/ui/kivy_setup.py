"""Kivy settings every device app needs, applied before Kivy's first import."""

from __future__ import annotations

import os
from pathlib import Path


def configure_kivy(size: tuple[int, int], windowed: bool) -> None:
    """Window size and fullscreen; Kivy's own command line off; Esc quits only a
    window on a technician's desk, never a kiosk in the hall."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    width, height = size
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "0" if windowed else "auto")
    Config.set("graphics", "resizable", "1" if windowed else "0")
    Config.set("kivy", "exit_on_escape", "1" if windowed else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def load_kv_once(kv_file: Path) -> None:
    """Load a screen's rules once per process: Kivy would apply them twice otherwise."""
    from kivy.lang import Builder

    if str(kv_file) not in Builder.files:
        Builder.load_file(str(kv_file))
