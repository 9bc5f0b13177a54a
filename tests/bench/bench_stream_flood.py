"""Stream flood benchmark: one address opens 2,100 idle ``GET /api/v1/events``
against ``motcua-server run`` (gunicorn + gevent, one worker, SQLite).

Run: .venv/bin/python tests/bench/bench_stream_flood.py [--streams 2100]
Prints one JSON line: how the streams were answered (admitted 200, refused 429/503,
failed), the slowest refusal, then with every socket still held open the latency
of ``GET /api/v1/health`` and of a kiosk's ticket issue, and after all sockets
closed the latency of health again. Target (issue 13): both under 1 s while held,
health under 2 s after the close. Bounded: one flood, a few requests, ~30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from live_server import LiveServer  # noqa: E402
from server_fixtures import build_runtime, seed_callers  # noqa: E402

from queue_server.services.clock import utc_now  # noqa: E402


async def open_stream(port: int) -> tuple[asyncio.StreamWriter | None, int, float]:
    """One stream: its writer (kept open), the status (0: failed) and seconds to it."""
    start = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 20)
        writer.write(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 20)
        return writer, int(status_line.split()[1]), time.monotonic() - start
    except (TimeoutError, OSError, IndexError, ValueError):
        return None, 0, time.monotonic() - start


def timed(call: Any) -> tuple[float, int]:
    start = time.monotonic()
    try:
        status = call().status_code
    except requests.RequestException:
        status = 0
    return round(time.monotonic() - start, 3), status


async def flood(server: LiveServer, kiosk_token: str, count: int) -> dict[str, Any]:
    results = await asyncio.gather(*(open_stream(server.port) for _ in range(count)))
    statuses = [status for _, status, _ in results]
    refused = [seconds for _, status, seconds in results if status in (429, 503)]
    health = f"{server.url}/api/v1/health"
    issue = f"{server.url}/api/v1/tickets"
    headers = {"Authorization": f"Bearer {kiosk_token}"}
    loop = asyncio.get_running_loop()
    health_held = await loop.run_in_executor(None, timed, lambda: requests.get(health, timeout=10))
    issue_held = await loop.run_in_executor(
        None,
        timed,
        lambda: requests.post(issue, headers=headers, json={"service": "ho-tich"}, timeout=10),
    )
    for writer, _, _ in results:
        if writer is not None:
            writer.close()
    health_after = await loop.run_in_executor(None, timed, lambda: requests.get(health, timeout=10))
    return {
        "streams": count,
        "admitted": statuses.count(200),
        "refused": len(refused),
        "failed": statuses.count(0),
        "slowest_refusal_s": round(max(refused, default=0.0), 3),
        "health_while_held_s": health_held[0],
        "health_while_held_status": health_held[1],
        "issue_while_held_s": issue_held[0],
        "issue_while_held_status": issue_held[1],
        "health_after_close_s": health_after[0],
        "health_after_close_status": health_after[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=2100)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, args.streams + 256), hard))
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        url = f"sqlite:///{data_dir / 'motcua.db'}"
        runtime = build_runtime(url, None, data_dir, utc_now)
        tokens, _ = seed_callers(runtime)
        runtime.db.dispose()
        server = LiveServer(url, data_dir).start()
        try:
            result = asyncio.run(flood(server, tokens["kiosk"], args.streams))
        finally:
            server.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
