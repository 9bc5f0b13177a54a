"""The boards' side of the device fleet (no Kivy): where a board keeps its files, how
often it reports, how it joins the fleet, and how it shows a pairing code.

The hall board and the LED bridge follow the event stream anyway, so the
``config.device`` announcements reach their :class:`FleetMember` through
:class:`FleetFeed` and a technician's change applies within a second; the
heartbeat's revision is the fallback when the stream is down.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from queue_server.client.event_stream import Event, LinkState, StreamListener
from queue_server.client.fleet import HEARTBEAT_S, DeviceAgent, FleetMember

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


def heartbeat_interval(env: Mapping[str, str] = os.environ) -> float:
    """Seconds between heartbeats (``MOTCUA_HEARTBEAT_S``; tests shorten it)."""
    return float(env.get("MOTCUA_HEARTBEAT_S") or HEARTBEAT_S)


def package_version() -> str:
    try:
        return version("motcua")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "dev"


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


def save_pairing(path: Path, server_url: str, token: str) -> None:
    """Write ``pairing.json``, readable by this user only, in one step (no partial file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stored:
        json.dump({"server_url": server_url, "token": token}, stored)
    temporary.replace(path)


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
        version=package_version(),
        health=health,
        on_config=on_config,
        cache_file=data_dir / f"{role}.config.json",
        interval=heartbeat_interval(),
    )


class FleetFeed:
    """A stream listener in front of the board's own: configuration announcements also
    go to the fleet member, which pulls the new configuration at once."""

    def __init__(self, listener: StreamListener, member: FleetMember) -> None:
        self.listener = listener
        self.member = member

    def on_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.listener.on_snapshot(snapshot)

    def on_event(self, event: Event) -> None:
        self.member.on_event(event.kind, event.data)
        self.listener.on_event(event)

    def on_state(self, state: LinkState) -> None:
        self.listener.on_state(state)
