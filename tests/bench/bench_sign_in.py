"""Sign-in cost for a known and an unknown user name, with production argon2.

Runs alone: ``.venv/bin/python tests/bench/bench_sign_in.py [--tries N]``. Signs in
through the Flask test client on a fresh SQLite database, each try from its own
address so no lockout interferes, and prints one JSON line: the median and p90 in ms
of a wrong password for a known account and for an unknown name, and their ratio
(1.0 means the answer does not tell which names exist).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from clocks import FakeClock  # noqa: E402
from server_fixtures import PASSWORD, build_runtime, seed_callers  # noqa: E402

from queue_server.app import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock()
        runtime = build_runtime(f"sqlite:///{tmp}/motcua.db", None, Path(tmp), clock)
        seed_callers(runtime)
        client = create_app(runtime=runtime).test_client()
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for n in range(args.tries):
            clock.advance(minutes=16)  # past any lock: every known try checks the password
            for label, user in (("known", "officer"), ("unknown", f"khong-co-{n}")):
                started = time.perf_counter()
                answer = client.post(
                    "/api/v1/auth/token",
                    json={"username": user, "password": PASSWORD + "-sai"},
                    environ_base={"REMOTE_ADDR": f"10.2.{n}.{len(label)}"},
                )
                timings[label].append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 401, answer.status_code
        runtime.db.dispose()

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "p50_ms": round(statistics.median(ordered), 1),
            "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 1),
        }

    known, unknown = summary(timings["known"]), summary(timings["unknown"])
    print(json.dumps({
        "bench": "sign_in", "tries": args.tries, "known": known, "unknown": unknown,
        "unknown_to_known_p50": round(unknown["p50_ms"] / known["p50_ms"], 2),
    }))


if __name__ == "__main__":
    main()
