"""The ``motcua-server`` commands technicians script against."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import live_server
import pytest
import requests
from argon2 import PasswordHasher
from clocks import process_env
from live_server import ROOT, LiveServer
from sqlalchemy import create_engine
from sqlalchemy import select as sql_select

from queue_server.adapters.tables import users

#: Starts a command with the pseudo-terminal on its stdin as its controlling
#: terminal, so ``getpass`` prompts there as it does for a technician.
ON_A_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)
PROMPTS = ("Mật khẩu: ".encode(), "Nhập lại: ".encode())


def run_cli(
    data_dir: Path, *args: str, check: bool = True, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    result = live_server.run_cli(*args, stdin=stdin, MOTCUA_DATA_DIR=str(data_dir))
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
    run_cli(
        tmp_path, "create-user", "lan", "--role", "officer", "--password-stdin",
        stdin="mat-khau-123\n",
    )
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


def _type_at_prompts(data_dir: Path, *typed: str) -> tuple[int, str]:
    """``create-user lan`` on a pseudo-terminal, typing one answer at each prompt;
    returns the exit status and everything the terminal showed."""
    main, child = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", ON_A_TERMINAL, "-m", "queue_server.cli",
         "create-user", "lan", "--role", "officer"],
        stdin=child, stdout=child, stderr=child, cwd=ROOT, start_new_session=True,
        env=process_env(MOTCUA_DATA_DIR=str(data_dir)),
    )
    os.close(child)
    shown, answered = b"", 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            # Type only once the prompt is shown: getpass flushes what was typed ahead.
            if answered < len(typed) and PROMPTS[answered] in shown:
                os.write(main, typed[answered].encode() + b"\n")
                answered += 1
            ready, _, _ = select.select([main], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        return process.wait(timeout=30), shown.decode(errors="replace")
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
            process.wait()


def _stored_hash(data_dir: Path, username: str) -> str | None:
    engine = create_engine(f"sqlite:///{data_dir / 'motcua.db'}")
    try:
        with engine.connect() as conn:
            query = sql_select(users.c.password_hash).where(users.c.username == username)
            return conn.execute(query).scalar()
    finally:
        engine.dispose()


def test_create_user_asks_for_the_password_twice_and_never_takes_it_from_argv(
    tmp_path: Path,
) -> None:
    run_cli(tmp_path, "init", "--site", str(ROOT / "deploy/site.example.toml"))
    on_argv = run_cli(
        tmp_path, "create-user", "lan", "--role", "officer", "--password", "mat-khau-123",
        check=False,
    )
    assert on_argv.returncode == 2 and "unrecognized arguments: --password" in on_argv.stderr

    status, shown = _type_at_prompts(tmp_path, "mat-khau-123", "mat-khau-456")
    assert status == 2 and "không khớp" in shown, shown
    assert "mat-khau" not in shown  # the prompt does not echo what is typed
    assert _stored_hash(tmp_path, "lan") is None

    status, shown = _type_at_prompts(tmp_path, "mat-khau-123", "mat-khau-123")
    assert status == 0 and "user lan (officer) saved" in shown, shown
    stored = _stored_hash(tmp_path, "lan")
    assert stored is not None and PasswordHasher().verify(stored, "mat-khau-123")


def test_create_user_reads_one_line_of_standard_input(tmp_path: Path) -> None:
    run_cli(tmp_path, "init", "--site", str(ROOT / "deploy/site.example.toml"))
    args = ("create-user", "lan", "--role", "officer", "--password-stdin")
    empty = run_cli(tmp_path, *args, stdin="", check=False)
    assert empty.returncode == 2 and "Chưa nhập mật khẩu" in empty.stderr
    run_cli(tmp_path, *args, stdin="mat khau co dau cach\r\nthua\n")
    stored = _stored_hash(tmp_path, "lan")
    assert stored is not None and PasswordHasher().verify(stored, "mat khau co dau cach")


@pytest.mark.parametrize("command", ["init", "run", "demo", "create-user", "create-token"])
def test_every_documented_command_has_help(tmp_path: Path, command: str) -> None:
    assert run_cli(tmp_path, command, "--help").stdout.startswith("usage: motcua-server")
