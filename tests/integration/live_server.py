"""Start the real production server (``motcua-server run``) in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from clocks import process_env

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_env(url: str, schema: str | None) -> str:
    """The URL a subprocess can use: the test schema travels as a libpq option."""
    if schema is None:
        return url
    return f"{url}?options=-csearch_path%3D{schema}"


def run_cli(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """``motcua-server ARGS`` in its own process on the test clock, with ``env`` added
    and ``stdin`` as its standard input."""
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", *args],
        cwd=ROOT,
        env=process_env({k: v for k, v in os.environ.items() if k != "MOTCUA_DATABASE_URL"}, **env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


class LiveServer:
    """``motcua-server run`` on ``database_url``; ``checkout`` names another copy of the
    code to run (a benchmark comparing two versions), by default this one."""

    def __init__(
        self, database_url: str, data_dir: Path, *, workers: int = 1, checkout: Path = ROOT
    ) -> None:
        self.checkout = checkout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "MOTCUA_DATABASE_URL": database_url,
            "MOTCUA_DATA_DIR": str(data_dir),
            "MOTCUA_SECRET_KEY": "test",
            "MOTCUA_PUBLIC_URL": self.url,
        }
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"server-{self.port}.log"

    def start(self, timeout: float = 20) -> LiveServer:
        command = [
            sys.executable,
            "-m",
            "queue_server.cli",
            "run",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        # ``python -m`` puts its working folder first on the path: the checkout's code.
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command,
                env=process_env(**self.env),
                cwd=self.checkout,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=15)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
