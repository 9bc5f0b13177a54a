"""The boards' side of the device fleet (no Kivy): where a board keeps its files
and how it joins the fleet.

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

def board_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Pairing file and configuration caches (``MOTCUA_BOARD_DIR``)."""
    return Path(env.get("MOTCUA_BOARD_DIR") or DEFAULT_DIR).expanduser()


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
