"""The ``motcua-server`` commands technicians script against."""

from __future__ import annotations

import subprocess
from pathlib import Path

import live_server
import pytest
import requests
from live_server import ROOT, LiveServer


def run_cli(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = live_server.run_cli(*args, MOTCUA_DATA_DIR=str(data_dir))
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_init_is_idempotent_and_loads_the_site_file(tmp_path: Path) -> None:
    first = run_cli(tmp_path, "init", "--site", str(ROOT / "deploy/site.example.toml"))
    again = run_cli(tmp_path, "init", "--site", str(ROOT / "deploy/site.example.toml"))
    assert "site default loaded" in first.stdout and "site default loaded" in again.stdout
    assert (tmp_path / "motcua.db").exists()


def test_bad_site_file_is_refused_in_both_languages(tmp_path: Path) -> None:
    broken = tmp_path / "site.toml"
    broken.write_text(
        '[site]\nname_vi = "X"\n[[services]]\ncode = "a"\nprefix = "1"\nname_vi = "A"\n',
        encoding="utf-8",
    )
    result = run_cli(tmp_path, "init", "--site", str(broken), check=False)
    assert result.returncode == 2
    assert "services.0.prefix" in result.stderr and "lỗi" in result.stderr


def test_create_user_and_token_then_use_them_on_the_running_server(tmp_path: Path) -> None:
    run_cli(tmp_path, "init", "--demo")
    run_cli(tmp_path, "create-user", "lan", "--role", "officer", "--password", "mat-khau-123")
    kiosk = run_cli(tmp_path, "create-token", "--device", "kiosk-1", "--kind", "kiosk")
    keypad = run_cli(
        tmp_path, "create-token", "--device", "keypad-2", "--kind", "counter", "--counter", "2"
    )
    kiosk_token = kiosk.stdout.strip()
    assert kiosk.stdout.count("\n") == 1 and len(kiosk_token) >= 40
    missing = run_cli(tmp_path, "create-token", "--device", "k", "--kind", "counter", check=False)
    assert missing.returncode == 2 and "--counter" in missing.stderr

    server = LiveServer("", tmp_path).start()
    try:
        base = f"{server.url}/api/v1"
        ticket = requests.post(
            f"{base}/tickets",
            json={"service": "dat-dai"},
            timeout=5,
            headers={"Authorization": f"Bearer {kiosk_token}"},
        )
        assert ticket.status_code == 201 and ticket.json()["number"] == "A001"
        assert ticket.json()["track_url"] is None  # MOTCUA_PUBLIC_URL is loopback here
        called = requests.post(
            f"{base}/counters/2/call-next",
            timeout=5,
            headers={"Authorization": f"Bearer {keypad.stdout.strip()}"},
        )
        assert called.status_code == 200 and called.json()["number"] == "A001"
        signed = requests.post(
            f"{base}/auth/token", timeout=5, json={"username": "lan", "password": "mat-khau-123"}
        )
        assert signed.status_code == 201
    finally:
        server.stop()
    assert server.process is not None and server.process.returncode == 0


@pytest.mark.parametrize("command", ["init", "run", "demo", "create-user", "create-token"])
def test_every_documented_command_has_help(tmp_path: Path, command: str) -> None:
    assert run_cli(tmp_path, command, "--help").stdout.startswith("usage: motcua-server")
