"""The boards' side of the device fleet (no Kivy): where a board keeps its files,
how it reaches its server, and how it joins the fleet.

The hall board and the LED bridge follow the event stream anyway, so the
``config.device`` announcements reach their :class:`FleetMember` through
``device_kit.fleet.FleetFeed`` and a technician's change applies within
a second; the heartbeat's revision is the fallback when the stream is down.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from device_kit.contract.device_wire import DeviceConfig
from device_kit.fleet import DeviceAgent, FleetMember
from device_kit.link_settings import LinkSettings
from device_kit.settings import Layers, Resolved, Setting
from device_kit.trust import Trust

PAIRING_FILE = "pairing.json"
KIND = "board"
BOARD_DIR = Setting(
    Path("~/.local/share/motcua-board"),
    env="MOTCUA_BOARD_DIR", parse=lambda v: Path(str(v)),
)
#: ``--pairing FILE``; else ``pairing.json`` in the board's directory.
PAIRING = Setting[Path | None](None, flag="pairing", parse=lambda v: Path(str(v)))


def board_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Pairing file and configuration caches (``MOTCUA_BOARD_DIR``)."""
    return Layers(env=env).resolve(BOARD_DIR).value.expanduser()


def board_link(args: argparse.Namespace, env: Mapping[str, str] = os.environ) -> LinkSettings:
    """Server, token and trust: flag, environment, pairing file, default."""
    layers = Layers.read(args, env)
    given, where = layers.resolve(PAIRING), layers.resolve(BOARD_DIR)
    pairing_file = (
        Resolved(given.value, given.source)
        if given.value is not None
        else Resolved(where.value.expanduser() / PAIRING_FILE, where.source)
    )
    return LinkSettings.from_layers(layers.with_pairing(pairing_file.value), pairing_file)


def board_trust(args: argparse.Namespace) -> Trust:
    return board_link(args).trust()


def board_member(
    server_url: str,
    token: str,
    *,
    role: str,
    health: Callable[[], dict[str, Any]],
    on_config: Callable[[DeviceConfig], None],
    data_dir: Path,
    trust: Trust | None = None,
) -> FleetMember:
    """The fleet member of a board; its configuration is cached per role, so a hall
    board and an LED bridge on one box keep theirs apart."""
    return FleetMember(
        DeviceAgent(server_url, KIND, token=token, trust=trust),
        role=role,
        health=health,
        on_config=on_config,
        cache_file=data_dir / f"{role}.config.json",
    )

