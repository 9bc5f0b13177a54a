"""Run a Kivy device app (hall board, rating terminal) headless in its own process,
and read the JSON lines it traces after each drawn frame."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from clocks import process_env

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def headless_env(kivy_home: Path) -> dict[str, str]:
    kivy_home.mkdir(parents=True, exist_ok=True)
    return process_env(
        SDL_VIDEODRIVER="offscreen",
        SDL_AUDIODRIVER="dummy",
        KIVY_NO_ARGS="1",
        KIVY_HOME=str(kivy_home),
    )


def wait_for(probe: Callable[[], T | None], within: float, what: str) -> T:
    """Poll ``probe`` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + within
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            break  # the line being written
    return rows


class KivyProcess:
    """``python <args>`` headless; its log goes to ``<workdir>/<name>.log``."""

    def __init__(self, args: Sequence[str], workdir: Path, name: str) -> None:
        self.command = [sys.executable, *args]
        self.workdir = workdir
        self.log = workdir / f"{name}.log"
        self.env = headless_env(workdir / f"kivy-{name}")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> KivyProcess:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
