"""Run a Kivy device app (hall board, rating terminal) headless in its own process,
and read the JSON lines it traces after each drawn frame."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
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


#: How faulthandler (``PYTHONFAULTHANDLER=1``, see ``process_env``) opens a crash report.
FATAL = "Fatal Python error"


def run_result(
    args: Sequence[str], env: Mapping[str, str], timeout: float, log: Path | None = None
) -> dict[str, Any]:
    """Run ``python <args>`` to its end; its last ``RESULT {json}`` line, decoded.
    ``log``: where to keep all it printed, for a test that reads its output again.

    A child that failed fails the test with how it ended and what it said last."""
    done = subprocess.run(
        [sys.executable, *args],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if log is not None:
        log.write_text(done.stdout + done.stderr)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, ended(done.returncode, done.stdout, done.stderr)
    return dict(json.loads(lines[-1][len("RESULT ") :]))


def ended(returncode: int, stdout: str, stderr: str) -> str:
    """How a child ended, for a failure message: the signal that killed it by name, the
    end of its output, and the whole stacks faulthandler printed when it crashed in
    native code (every thread's, so the one that crashed is among them)."""
    if returncode < 0:
        how = f"killed by {signal.Signals(-returncode).name} (returncode {returncode})"
    else:
        how = f"exited with {returncode}"
    crash = stderr.find(FATAL)
    crashed = "" if crash < 0 else "\n--- crash stacks ---\n" + stderr[crash : crash + 12_000]
    before = stderr if crash < 0 else stderr[:crash]
    return (
        f"the child {how}\n--- stdout (end) ---\n{stdout[-2000:]}"
        f"\n--- stderr (end) ---\n{before[-3000:]}{crashed}"
    )


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
