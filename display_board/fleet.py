"""The boards' side of the device fleet (no Kivy): where a board keeps its files
and how it joins the fleet.

The hall board and the LED bridge follow the event stream anyway, so the
``config.device`` announcements reach their :class:`FleetMember` through
``device_kit.fleet.FleetFeed`` and a technician's change applies within
a second; the heartbeat's revision is the fallback when the stream is down.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from device_kit.fleet import DeviceAgent, FleetMember
from device_kit.pinning import PINNED_CA_FILE
from device_kit.trust import Trust
from device_kit.trust_settings import TrustSettings

DEFAULT_DIR = "~/.local/share/motcua-board"
PAIRING_FILE = "pairing.json"
KIND = "board"

def board_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Pairing file and configuration caches (``MOTCUA_BOARD_DIR``)."""
    return Path(env.get("MOTCUA_BOARD_DIR") or DEFAULT_DIR).expanduser()


def trust_settings(args: argparse.Namespace, env: Mapping[str, str] = os.environ) -> TrustSettings:
    """``--ca-file`` / ``--fingerprint``, else the environment, else what pairing recorded."""
    stored = json.loads(args.pairing.read_text("utf-8")) if args.pairing.is_file() else {}
    return TrustSettings.resolve(
        ca_file=args.ca_file, fingerprint=args.fingerprint, env=env, pairing=stored
    )


def pin_store(args: argparse.Namespace) -> Path:
    """Where a CA pinned by its fingerprint is kept: beside ``pairing.json``."""
    return Path(args.pairing).parent / PINNED_CA_FILE


def board_trust(args: argparse.Namespace) -> Trust:
    return trust_settings(args).trust(pin_store(args))


def board_member(
    server_url: str,
    token: str,
    *,
    role: str,
    health: Callable[[], dict[str, Any]],
    on_config: Callable[[dict[str, Any]], None],
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
