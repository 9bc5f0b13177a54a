"""Devices talk to the server through the client only: no Flask, no server internals,
and the kiosk's flow is usable without Kivy."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_client_imports_nothing_of_the_server() -> None:
    """The device client package may import itself, never the server or Flask."""
    for path in (ROOT / "queue_server" / "client").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        outside = {
            name
            for name in imported
            if name
            and name.startswith(("queue_server", "flask"))
            and not name.startswith("device_kit.client")
        }
        assert not outside, path


def test_controller_and_client_load_without_flask_or_kivy() -> None:
    code = (
        "import sys, json; import device_kit.client, device_kit.event_stream;"
        "import device_kit.fleet;"
        "import kiosk_app.controller, kiosk_app.offline;"
        "print(json.dumps(sorted(m for m in ('flask', 'kivy', 'sqlalchemy') if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []
