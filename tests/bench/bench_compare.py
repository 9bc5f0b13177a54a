"""Two versions of the server side by side, on SQLite, in alternating rounds.

Runs alone: ``.venv/bin/python tests/bench/bench_compare.py BASE [CHANGED]
[--work issue|call] [--requests N] [--rounds R]``, where each version is a git
revision of this checkout (``CHANGED`` defaults to the working tree). Each version
is checked out into a scratch folder and served by ``motcua-server run`` on its own
copy of one seeded database; the rounds alternate which goes first. ``issue``: 8
kiosks issuing back to back; ``call``: 50 counters calling back to back over
waiting tickets. Prints one JSON line: per version, the median throughput and p99
and the worker's CPU per request; per round, the changed version's share of the
base's throughput and of its CPU per request.

The worker's CPU time per request, read from ``/proc``, is reported beside the
throughput because it counts only the server's own work. On the shared 2-core box of
2026-12-07 neither was steady. One code against itself, ``HEAD`` against the working
tree with only test helpers changed (``--work call --requests 1200 --rounds 8``), gave
rounds of 0.78–1.17 of the base's throughput (median 0.93) and 0.86–1.17 of its CPU
per request (median 1.06). Run the comparison of a version with itself first. Trust
a change only when its rounds agree, and only beyond that spread.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / p) for p in (".", "tests", "tests/integration", "tests/bench")]

from bench_issue import crowded_database, issue  # noqa: E402
from bench_queue import Drive  # noqa: E402
from live_server import LiveServer  # noqa: E402
from test_concurrency import seed_waiting  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(server: LiveServer) -> float:
    """CPU seconds the server's processes (master and workers) have used so far."""
    assert server.process is not None
    pids = subprocess.run(
        ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
    ).stdout.split()
    ticks = 0
    for pid in [str(server.process.pid), *pids]:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / CLOCK_TICKS


def checkout(revision: str | None, into: Path) -> Path:
    """The code of ``revision`` (None: this working tree as it is) in a folder."""
    if revision is None:
        return ROOT
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(into), revision],
        check=True, capture_output=True,
    )
    return into


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", help="a git revision")
    parser.add_argument("changed", nargs="?", help="a git revision (default: the working tree)")
    parser.add_argument("--work", choices=("issue", "call"), default="issue")
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        runtime, tokens, counters = crowded_database(work / "seed.db")
        if args.work == "call":  # enough for every round, with the warm-up calls
            seed_waiting(runtime, (args.requests + 200) * args.rounds + 200)
        runtime.db.dispose()
        servers: dict[str, LiveServer] = {}
        trees: list[Path] = []
        try:
            for name, revision in (("base", args.base), ("changed", args.changed)):
                tree = checkout(revision, work / f"tree-{name}")
                if tree != ROOT:
                    trees.append(tree)
                (work / name).mkdir()
                shutil.copy(work / "seed.db", work / name / "motcua.db")
                servers[name] = LiveServer(
                    f"sqlite:///{work / name / 'motcua.db'}", work / name, checkout=tree
                ).start(timeout=60)
            rounds = run_rounds(servers, tokens, list(counters.values()), args)
        finally:
            for server in servers.values():
                server.stop()
            for tree in trees:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                    capture_output=True,
                )
    print(json.dumps(summary(args, rounds)))


def run_rounds(
    servers: dict[str, LiveServer], tokens: dict[str, str], counter_ids: list[int],
    args: argparse.Namespace,
) -> list[dict[str, dict[str, float]]]:
    """``args.rounds`` rounds; each measures both versions, the first one alternating."""

    def call(client: int) -> tuple[str, None]:
        return f"/counters/{counter_ids[client]}/call-next", None

    def drive(url: str, total: int) -> dict[str, float]:
        if args.work == "issue":
            return issue(url, {"Authorization": f"Bearer {tokens['kiosk']}"}, total)
        header = {"Authorization": f"Bearer {tokens['admin']}"}
        Drive(url, header, len(counter_ids), 0.0).run(call, 200, total=100)  # warm
        return Drive(url, header, len(counter_ids), 0.0).run(call, 200, total=total).figures(200)

    rounds = []
    for number in range(args.rounds):
        order = ["base", "changed"] if number % 2 == 0 else ["changed", "base"]
        measured: dict[str, dict[str, float]] = {}
        for name in order:
            server = servers[name]
            before = cpu_s(server)
            figures = drive(f"{server.url}/api/v1", args.requests)
            figures["cpu_ms_per_request"] = (cpu_s(server) - before) * 1000 / args.requests
            measured[name] = figures
        rounds.append(measured)
    return rounds


def summary(args: argparse.Namespace, rounds: list[dict[str, dict[str, float]]]) -> dict[str, Any]:
    def median(name: str, key: str) -> float:
        return round(statistics.median(r[name][key] for r in rounds), 3)

    def shares(key: str) -> list[float]:
        return [round(r["changed"][key] / r["base"][key], 3) for r in rounds]

    return {
        "work": args.work,
        "requests_per_round": args.requests,
        "rounds": args.rounds,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        **{
            name: {key: median(name, key) for key in ("per_s", "p99_ms", "cpu_ms_per_request")}
            for name in ("base", "changed")
        },
        "changed_over_base_per_s": shares("per_s"),
        "changed_over_base_cpu": shares("cpu_ms_per_request"),
    }


if __name__ == "__main__":
    main()
