"""CPU time of administrative ``motcua-server`` commands, start to finish.

Runs alone: ``.venv/bin/python tests/bench/bench_cli_start.py [--runs N]``.
Prints one JSON line: for ``create-token`` (opens the database, writes a token) and
``--help``, the median CPU seconds (user + system) of ``runs`` fresh processes on a
SQLite database made once with ``init --demo``. CPU, not wall time: other processes
on the machine stretch the wall clock but not the work a command does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cpu_of(args: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one ``motcua-server ARGS`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "queue_server.cli", *args],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "MOTCUA_DATA_DIR": tmp,
            "MOTCUA_SECRET_KEY": "bench",
        }
        env.pop("MOTCUA_DATABASE_URL", None)
        cpu_of(["init", "--demo"], env)
        commands = {
            "create_token": lambda i: ["create-token", "--device", f"kiosk-{i}", "--kind", "kiosk"],
            "help": lambda _i: ["--help"],
        }
        result: dict[str, object] = {
            name: round(statistics.median(cpu_of(argv(i), env) for i in range(args.runs)), 3)
            for name, argv in commands.items()
        }
    result["unit"] = "cpu_s_median"
    result["runs"] = args.runs
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
