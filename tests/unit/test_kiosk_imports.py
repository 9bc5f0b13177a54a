"""The kiosk's flow and the device kit load without Flask, SQLAlchemy or Kivy (the
static rules are in test_architecture.py; this runs the imports for real)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
