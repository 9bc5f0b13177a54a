"""Live events benchmark: many SSE subscribers against ``motcua-server run``.

Run: .venv/bin/python tests/bench/bench_sse.py [--subscribers 500] [--calls 200]
Prints one JSON line. For each worker class (gevent, gthread) a fresh server on a
seeded SQLite database; N subscribers hold ``GET /api/v1/events`` open (asyncio
sockets in this process, each with its own forwarded address like phones behind
nginx); a caller starts ``calls`` call-next requests, one every ``--gap`` seconds
on schedule. Latency is from the moment the call's HTTP response was read to the
moment each subscriber received that ``ticket.called`` event (p50/p99 over all
subscriber×call pairs; an event that beat the response counts as 0); missed counts
pairs never received. Server RSS is the sum over gunicorn's master and workers after
the run; the growth from idle to all streams open gives the memory per 1,000 streams,
and the server's CPU while they sit idle for ``--idle-s`` their idle cost. In the
same run, one client polls ``GET /api/v1/queue`` every 2 s: its latency is until a
poll first shows the call (or a later one); calls no poll ever showed are unseen.
gthread runs 32 threads: each open stream holds one.
Target: p99 < 100 ms, missed = 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from live_server import free_port  # noqa: E402
from server_fixtures import build_runtime, seed_callers  # noqa: E402

from queue_server.services.clock import utc_now  # noqa: E402

POLL_EVERY_S = 2.0


def start_server(data_dir: Path, worker_class: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "MOTCUA_DATABASE_URL": f"sqlite:///{data_dir / 'motcua.db'}",
        "MOTCUA_DATA_DIR": str(data_dir),
        "MOTCUA_SECRET_KEY": "bench",
    }
    command = [sys.executable, "-m", "queue_server.cli", "run", "--port", str(port)]
    command += ["--workers", "1", "--worker-class", worker_class]
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / f"server-{worker_class}.log", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/api/v1/health", timeout=1).ok:
                return process, url
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(c) for c in (task / "children").read_text().split()]
    return pids


def cpu_s(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children."""
    ticks = 0
    for each in process_tree(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total = 0
    for each in process_tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


class Subscriber:
    """One SSE connection on a raw asyncio socket: records when each call arrived.

    Reads whole chunks and finds calls with one regex, so the measuring side stays
    cheap next to the server (the server sends each event as one chunk)."""

    CALLED = re.compile(rb'event: ticket\.called\ndata: \{.*?"number":"([A-Z0-9]+)"')

    def __init__(self, address: str) -> None:
        self.address = address
        self.connected = asyncio.Event()
        self.received: dict[bytes, float] = {}

    async def run(self, port: int, stop: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            + f"X-Forwarded-For: {self.address}\r\n\r\n".encode()
        )
        await writer.drain()
        tail = b""
        try:
            while not stop.is_set():
                chunk = await reader.read(65536)
                if not chunk:
                    return
                now = time.monotonic()
                self.connected.set()
                text = tail + chunk
                cut = text.rfind(b"\n\n") + 2
                for match in self.CALLED.finditer(text, 0, cut):
                    self.received.setdefault(match.group(1), now)
                tail = text[cut:]
        finally:
            writer.close()


def phone_address(index: int) -> str:
    """A distinct client address per subscriber, as phones behind the shipped proxy
    appear (loopback is a trusted proxy): one address may hold only a few streams."""
    return f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"


def caller(url: str, token: str, counter_id: int, calls: int, gap: float) -> dict[bytes, float]:
    """Call-next ``calls`` times, one started every ``gap`` seconds (a slow answer does
    not lower the rate); when each called number's response arrived."""
    answered: dict[bytes, float] = {}
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    start = time.monotonic()
    for index in range(calls):
        time.sleep(max(0.0, start + index * gap - time.monotonic()))
        response = session.post(f"{url}/api/v1/counters/{counter_id}/call-next", timeout=10)
        answered[response.json()["number"].encode()] = time.monotonic()
    return answered


def poller(url: str, counter_number: int, stop: threading.Event) -> list[tuple[float, bytes]]:
    """What a polling client sees: (time, current number at the counter) every 2 s."""
    seen: list[tuple[float, bytes]] = []
    session = requests.Session()
    while not stop.is_set():
        try:
            snapshot = session.get(f"{url}/api/v1/queue", timeout=10).json()
        except requests.RequestException:
            return seen
        for counter in snapshot["counters"]:
            if counter["number"] == counter_number and counter["current_ticket"]:
                seen.append((time.monotonic(), counter["current_ticket"]["number"].encode()))
        stop.wait(POLL_EVERY_S)
    return seen


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


async def measure(url: str, setup: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    port = int(url.rsplit(":", 1)[1])
    stop = asyncio.Event()
    subscribers = [Subscriber(phone_address(i)) for i in range(args.subscribers)]
    tasks = [asyncio.create_task(s.run(port, stop)) for s in subscribers]
    waiting = [asyncio.create_task(s.connected.wait()) for s in subscribers]
    await asyncio.wait(waiting, timeout=args.connect_timeout)
    connected = sum(s.connected.is_set() for s in subscribers)
    streams_rss_mb = rss_mb(setup["pid"]) - setup["idle_rss_mb"]
    idle_cpu, idle_since = cpu_s(setup["pid"]), time.monotonic()
    await asyncio.sleep(args.idle_s)  # every stream open, nothing happening
    idle_share = (cpu_s(setup["pid"]) - idle_cpu) / (time.monotonic() - idle_since)

    stop_poll = threading.Event()
    polled: list[tuple[float, bytes]] = []
    poll_thread = threading.Thread(
        target=lambda: polled.extend(poller(url, 3, stop_poll)), daemon=True
    )
    poll_thread.start()
    calls_started = time.monotonic()
    try:
        answered = await asyncio.to_thread(
            caller, url, setup["token"], setup["counter_id"], args.calls, args.gap
        )
    except requests.RequestException as exc:
        answered = {}
        failure = f"calls failed while {connected} streams were open: {type(exc).__name__}"
    else:
        failure = None
    await asyncio.sleep(max(1.0, POLL_EVERY_S + 0.5))  # the last events and the last poll
    stop_poll.set()
    stop.set()
    for task in tasks + waiting:
        task.cancel()
    await asyncio.gather(*tasks, *waiting, return_exceptions=True)
    poll_thread.join(timeout=15)

    # An event can beat the caller's own response; that counts as 0, not negative.
    latencies = [
        max(0.0, s.received[number] - at)
        for s in subscribers
        for number, at in answered.items()
        if number in s.received
    ]
    order = list(answered)
    poll_latencies, unseen = [], 0
    for index, number in enumerate(order):
        later = set(order[index:])
        first = next((t for t, shown in polled if shown in later and t >= answered[number]), None)
        if first is None:
            unseen += 1
        else:
            poll_latencies.append(first - answered[number])
    sse_p50 = percentile(latencies, 0.5)
    poll_p50 = percentile(poll_latencies, 0.5)
    calls_took = max(answered.values(), default=calls_started) - calls_started
    return {
        "connected": connected,
        "rss_mb_per_1000_idle_streams": round(streams_rss_mb * 1000 / max(connected, 1), 1),
        "cpu_pct_per_1000_idle_streams": round(idle_share * 100 * 1000 / max(connected, 1), 1),
        "calls_per_s": round(len(answered) / calls_took, 1) if calls_took else None,
        "error": failure,
        "sse_p50_ms": sse_p50,
        "sse_p99_ms": percentile(latencies, 0.99),
        "sse_max_ms": percentile(latencies, 1.0),
        "missed": args.subscribers * len(answered) - len(latencies),
        "poll_p50_ms": poll_p50,
        "poll_p99_ms": percentile(poll_latencies, 0.99),
        "poll_unseen_calls": unseen,
        "poll_to_sse_p50_ratio": round(poll_p50 / sse_p50, 1) if sse_p50 and poll_p50 else None,
    }


def seed(data_dir: Path) -> dict[str, Any]:
    runtime = build_runtime(f"sqlite:///{data_dir / 'motcua.db'}", None, data_dir, utc_now)
    tokens, counters = seed_callers(runtime)
    runtime.db.dispose()
    return {"token": tokens["admin"], "kiosk": tokens["kiosk"], "counter_id": counters[3]}


def run_one(worker_class: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        setup = seed(data_dir)
        process, url = start_server(data_dir, worker_class)
        try:
            kiosk = requests.Session()
            kiosk.headers["Authorization"] = f"Bearer {setup['kiosk']}"
            for _ in range(args.calls):
                kiosk.post(f"{url}/api/v1/tickets", json={"service": "ho-tich"}, timeout=10)
            setup.update(pid=process.pid, idle_rss_mb=rss_mb(process.pid))
            server_before, client_before = cpu_s(process.pid), time.process_time()
            result = asyncio.run(measure(url, setup, args))
            result["server_rss_mb"] = rss_mb(process.pid)
            result["server_cpu_s"] = round(cpu_s(process.pid) - server_before, 1)
            result["bench_cpu_s"] = round(time.process_time() - client_before, 1)
            return result
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between calls")
    parser.add_argument("--connect-timeout", type=float, default=20.0)
    parser.add_argument("--idle-s", type=float, default=5.0, help="idle CPU measured this long")
    parser.add_argument("--worker-classes", default="gevent,gthread")
    args = parser.parse_args()
    results = {wc: run_one(wc, args) for wc in args.worker_classes.split(",")}
    summary: dict[str, Any] = {
        "subscribers": args.subscribers,
        "calls": args.calls,
        "gap_s": args.gap,
        **results,
    }
    gevent, gthread = results.get("gevent"), results.get("gthread")
    if gevent and gthread and gevent["sse_p99_ms"] and gthread["sse_p99_ms"]:
        summary["gthread_to_gevent_p99_ratio"] = round(
            gthread["sse_p99_ms"] / gevent["sse_p99_ms"], 2
        )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
