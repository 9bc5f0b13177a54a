"""The boards' side of the device fleet (no Kivy): where a board keeps its files,
how it joins the fleet, and how it shows a pairing code.

The hall board and the LED bridge follow the event stream anyway, so the
``config.device`` announcements reach their :class:`FleetMember` through
``device_kit.fleet.FleetFeed`` and a technician's change applies within
a second; the heartbeat's revision is the fallback when the stream is down.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from device_kit.fleet import DeviceAgent, FleetMember

DEFAULT_DIR = "~/.local/share/motcua-board"
PAIRING_FILE = "pairing.json"
KIND = "board"

#: The pairing code drawn five lines high on a console (``#`` blocks), digit by digit.
BIG_DIGITS = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": (" # ", "## ", " # ", " # ", "###"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", "###", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
}

PAIRING_TITLE_VI = "Ghép nối thiết bị"
PAIRING_TITLE_EN = "Device pairing"
PAIRING_HINT_VI = "Kỹ thuật viên nhập mã này trên trang Thiết bị của máy chủ."
PAIRING_HINT_EN = "A technician enters this code on the server's Devices page."


def board_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Pairing file and configuration caches (``MOTCUA_BOARD_DIR``)."""
    return Path(env.get("MOTCUA_BOARD_DIR") or DEFAULT_DIR).expanduser()


def grouped(code: str) -> str:
    """``"123456"`` as ``"123 456"``: easier to read across a hall and to type."""
    return f"{code[:3]} {code[3:]}"


def big_code(code: str) -> str:
    """The code drawn large for a console, with the bilingual title above it."""
    rows = ["   ".join(BIG_DIGITS[d][row] for d in code if d in BIG_DIGITS) for row in range(5)]
    big = "\n".join(row.replace("#", "██").replace(" ", "  ") for row in rows)
    return (
        f"{PAIRING_TITLE_VI} / {PAIRING_TITLE_EN}\n\n{big}\n\n"
        f"Mã / Code: {grouped(code)}\n{PAIRING_HINT_VI}\n{PAIRING_HINT_EN}"
    )


def board_member(
    server_url: str,
    token: str,
    *,
    role: str,
    health: Callable[[], dict[str, Any]],
    on_config: Callable[[dict[str, Any]], None],
    data_dir: Path,
) -> FleetMember:
    """The fleet member of a board; its configuration is cached per role, so a hall
    board and an LED bridge on one box keep theirs apart."""
    return FleetMember(
        DeviceAgent(server_url, KIND, token=token),
        role=role,
        health=health,
        on_config=on_config,
        cache_file=data_dir / f"{role}.config.json",
    )
