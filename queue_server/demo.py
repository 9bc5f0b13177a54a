"""``motcua-server demo``: the whole system on one machine, with demo data.

Creates the demo site (SQLite under ``var/demo``), demo users and device tokens
(printed once), then starts each part as its own process — the server, the
printer emulator, a kiosk, the hall board and a rating terminal — and stops
them all on Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from queue_server.adapters.database import migrate
from queue_server.bootstrap import load_demo, open_runtime
from queue_server.config import Settings
from queue_server.services.auth import Role, create_user, issue_token
from queue_server.services.clock import utc_now

DEMO_USERS = (
    ("admin", Role.ADMIN, "Quản trị viên"),
    ("kythuat", Role.TECHNICIAN, "Kỹ thuật viên"),
    ("giamsat", Role.SUPERVISOR, "Lãnh đạo giám sát"),
    ("canbo1", Role.OFFICER, "Nguyễn Thị Lan"),
    ("canbo2", Role.OFFICER, "Trần Văn Minh"),
)
#: name, kind, counter number the device is bound to
DEMO_DEVICES = (
    ("kiosk-sanh-1", "kiosk", None),
    ("bang-sanh", "board", None),
    ("danh-gia-quay-1", "rating", 1),
)


@dataclass
class Component:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None


def prepare_demo(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Migrate, load the demo site, create users and tokens.

    Returns the passwords and the device tokens, both shown once.
    """
    runtime = open_runtime(settings)
    migrate(runtime.db)
    code, _dossiers, _procedures = load_demo(runtime.db, runtime.id_key)
    passwords: dict[str, str] = {}
    tokens: dict[str, str] = {}
    now = utc_now()
    with runtime.uow() as uow:
        site = uow.repo.site(code)
        assert site is not None and site.id is not None
        counter_ids = {c.number: c.id for c in uow.repo.counters(site.id)}
        for username, role, full_name in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            create_user(uow, site.id, username, role, password, now, full_name=full_name)
            passwords[f"{username} ({role})"] = password
        for name, kind, counter in DEMO_DEVICES:
            tokens[kind] = issue_token(
                uow,
                site_id=site.id,
                kind=kind,
                name=name,
                now=now,
                counter_id=counter_ids[counter] if counter else None,
            )
        uow.commit()
    runtime.db.dispose()
    return passwords, tokens


def components(settings: Settings, host: str, port: int, tokens: dict[str, str]) -> list[Component]:
    """Each part of the centre as the command a technician would run on its box."""
    python = sys.executable
    scripts = Path(sys.executable).parent
    base = f"http://{host}:{port}"
    data = settings.data_dir
    audio = (
        ["--audio", "speaker"]
        if has_display()
        else ["--audio", "wav", "--wav-dir", str(data / "announcements")]
    )
    return [
        Component(
            "server", [python, "-m", "queue_server.cli", "run", "--host", host, "--port", str(port)]
        ),
        Component(
            "printer emulator",
            [
                python,
                "-m",
                "drivers.cli",
                "emulate",
                "printer",
                "--tcp",
                "127.0.0.1:9100",
                "--out",
                str(data / "printer"),
            ],
        ),
        Component(
            "kiosk",
            [
                str(scripts / "motcua-kiosk"),
                "--mode",
                "ticket",
                "--server",
                base,
                "--token",
                tokens["kiosk"],
                "--printer",
                "tcp://127.0.0.1:9100",
                "--data-dir",
                str(data / "kiosk"),
                "--windowed",
                "--size",
                "1080x1920",
            ],
        ),
        Component(
            "hall board",
            [
                str(scripts / "motcua-board"),
                "--server",
                base,
                "--token",
                tokens["board"],
                "hall",
                "--windowed",
                "--size",
                "1920x1080",
                *audio,
            ],
        ),
        Component(
            "rating terminal",
            [
                str(scripts / "motcua-kiosk"),
                "--mode",
                "rating",
                "--server",
                base,
                "--token",
                tokens["rating"],
                "--data-dir",
                str(data / "rating"),
                "--windowed",
                "--size",
                "800x480",
            ],
        ),
    ]


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_demo(settings: Settings, host: str, port: int) -> int:
    passwords, tokens = prepare_demo(settings)
    base = f"http://{host}:{port}"
    env = {
        **os.environ,
        "MOTCUA_DATA_DIR": str(settings.data_dir),
        "MOTCUA_DATABASE_URL": settings.database_url,
        "MOTCUA_SECRET_KEY": settings.secret_key,
        "MOTCUA_PUBLIC_URL": base,
        "MOTCUA_SERVER_URL": base,
    }
    if not has_display():
        # No screen on this box: the Kivy apps still run, drawing offscreen.
        env.update(SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    env.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    parts = components(settings, host, port, tokens)
    lines = [
        "motcua demo — Trung tâm Phục vụ hành chính công (demo data, SQLite)",
        f"  database:        {settings.resolved_database_url}",
        f"  API health:      {base}/api/v1/health",
        f"  API (OpenAPI):   {base}/api/v1/openapi.json",
        f"  queue snapshot:  {base}/api/v1/queue",
        f"  counter console: {base}/counter",
        f"  hall board page: {base}/board",
        f"  booking (phone): {base}/dat-lich",
        f"  admin pages:     {base}/admin",
        f"  printed tickets: {settings.data_dir / 'printer'}/<n>.png (printer emulator on :9100)",
        "  Kivy kiosk, hall board and rating terminal: "
        + (
            "windows on this display"
            if has_display()
            else f"offscreen (no display); announcements in {settings.data_dir / 'announcements'}"
        ),
        "  users (passwords shown once):",
        *(f"    {label:<22} {secret}" for label, secret in passwords.items()),
        "  device tokens (shown once):",
        *(f"    {kind:<22} {secret}" for kind, secret in tokens.items()),
        f"  started: {', '.join(p.name for p in parts)}. Stop with Ctrl+C.",
    ]
    print("\n".join(lines), flush=True)
    return supervise(parts, env)


def supervise(parts: list[Component], env: dict[str, str]) -> int:
    """Run every component until Ctrl+C/SIGTERM or until one of them dies."""
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    for part in parts:
        part.process = subprocess.Popen(part.command, env=env, start_new_session=True)
    failed = None
    while not stopping and failed is None:
        time.sleep(0.2)
        failed = next((p for p in parts if p.process and p.process.poll() is not None), None)
    for part in parts:
        if part.process and part.process.poll() is None:
            os.killpg(part.process.pid, signal.SIGTERM)
    for part in parts:
        if part.process:
            try:
                part.process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # never leave a part running behind the demo
                print(f"demo: {part.name} did not stop in 15 s; killed.", file=sys.stderr)
                os.killpg(part.process.pid, signal.SIGKILL)
                part.process.wait()
    if failed is not None:
        print(f"demo: {failed.name} stopped unexpectedly; everything was stopped.", file=sys.stderr)
        return 1
    return 0
