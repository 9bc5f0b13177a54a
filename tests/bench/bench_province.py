"""Province day benchmark: many one-stop centres on one PostgreSQL-backed box.

Run: .venv/bin/python tests/bench/bench_province.py [--minutes 1] [--compress 20]
Prints one JSON line. A scratch PostgreSQL schema gets ``--sites`` sites (default
100), each from its own site file loaded the way ``motcua-server init --site``
loads it, with ``--counters`` counters and device tokens made the way
``motcua-server create-token`` makes them: ``--kiosks`` kiosks, one keypad per
counter. Then, for 1 and then 2 app processes (``motcua-server run``, one worker
per core, sharing events through LISTEN/NOTIFY) behind nginx with the shipped
``deploy/nginx/motcua.conf`` (TLS on a local port; skipped, and said so, when
nginx is not installed):

* ``--screens`` screens per site (half boards, half phones' tracking pages) hold
  ``GET /api/v1/events?site=CODE`` open, each from its own loopback address, as
  every device and phone is its own client to nginx and the app;
* tickets arrive at the province rate, ``--tickets-per-day`` over a working day of
  ``--day-hours`` compressed ``--compress`` times, spread over the sites, for
  ``--minutes`` wall minutes (a slice of the day, bounded): each is issued by a
  kiosk, called ``--call-after`` seconds later by a random counter of its site,
  and looked up once by its visitor's phone (``GET /api/v1/track/<token>``).

Latency of an operation runs from when it was due (so a box that falls behind
shows it), event delivery from the call's response to each screen of its site
(0 if the event came first); missed counts (call, screen) pairs never received,
after a dropped stream reconnected with Last-Event-ID as the pages do. Overload
shows as 503s: the app sheds requests that waited too long for a database
connection.
CPU is read from /proc: the app processes, nginx, and every PostgreSQL process of
the box (other users of the server included). Target: event p99 < 100 ms, 0 missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from bench_common import kiosk_ticket, percentile  # noqa: E402
from bench_sse import cpu_s, rss_mb  # noqa: E402
from live_server import database_env, free_port  # noqa: E402
from pg_schema import POSTGRES_URL, postgres_available, temporary_schema  # noqa: E402

from queue_server.adapters.database import connect, migrate  # noqa: E402
from queue_server.adapters.tables import start_mappers  # noqa: E402
from queue_server.bootstrap import load_site  # noqa: E402
from queue_server.config import Settings  # noqa: E402
from queue_server.runtime import Runtime  # noqa: E402
from queue_server.services.auth import issue_token  # noqa: E402
from queue_server.services.clock import utc_now  # noqa: E402
from queue_server.services.site_config import parse_site_file  # noqa: E402

SERVICES = ("dat-dai", "ho-tich", "kinh-doanh", "xay-dung", "ldtbxh")
CALLED = re.compile(rb'event: ticket\.called\ndata: \{.*?"number":"([A-Z0-9]+)"')
EVENT_ID = re.compile(rb"(?:^|\n)id: (\d+)\n")
#: What a browser's EventSource waits before reconnecting (the server's ``retry:``).
RECONNECT_S = 3.0


@dataclass
class Site:
    code: str
    kiosks: list[str]
    counters: list[tuple[int, str]]  # (counter id, keypad token)


@dataclass
class Screen:
    """One board or tracking page: when each called number reached it. Like the
    pages' EventSource it reconnects after a drop, sending Last-Event-ID."""

    site: str
    address: str
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    received: dict[bytes, float] = field(default_factory=dict)
    last_id: int = 0
    reconnects: int = 0
    resyncs: int = 0


def site_file(index: int, counters: int) -> str:
    """A site file like deploy/site.example.toml: open all day, five services."""
    lines = [
        "[site]",
        f'code = "s{index:03d}"',
        f'name_vi = "Bộ phận Một cửa số {index}"',
        f'name_en = "One-stop centre {index}"',
        'timezone = "Asia/Ho_Chi_Minh"',
    ]
    for number, code in enumerate(SERVICES):
        lines += [
            "[[services]]",
            f'code = "{code}"',
            f'prefix = "{"ABCDE"[number]}"',
            f'name_vi = "Dịch vụ {code}"',
            f'name_en = "Service {code}"',
            'hours = "always"',
            "daily_limit = 9999",
        ]
    for number in range(1, counters + 1):
        lines += [
            "[[counters]]",
            f"number = {number}",
            f'name = "Quầy {number}"',
            f"services = {json.dumps(list(SERVICES))}",
        ]
    return "\n".join(lines) + "\n"


def create_sites(url: str, schema: str, scratch: Path, args: argparse.Namespace) -> list[Site]:
    """What ``motcua-server init --site FILE`` and ``create-token`` do, per site."""
    start_mappers()
    db = connect(url, schema=schema)
    migrate(db)
    sites = []
    for index in range(1, args.sites + 1):
        path = scratch / f"site-{index:03d}.toml"
        path.write_text(site_file(index, args.counters), encoding="utf-8")
        code = load_site(db, parse_site_file(path))
        with Runtime(settings=Settings(), db=db).uow() as uow:
            site = uow.repo.site(code)
            assert site is not None and site.id is not None
            now = utc_now()
            kiosks = [
                issue_token(uow, site_id=site.id, kind="kiosk", name=f"kiosk-{k}", now=now)
                for k in range(1, args.kiosks + 1)
            ]
            keypads = [
                (
                    counter.id or 0,
                    issue_token(
                        uow,
                        site_id=site.id,
                        kind="counter",
                        name=f"keypad-{counter.number}",
                        now=now,
                        counter_id=counter.id,
                    ),
                )
                for counter in uow.repo.counters(site.id)
            ]
            uow.commit()
        sites.append(Site(code, kiosks, keypads))
    db.dispose()
    return sites


def start_app(
    url: str, data_dir: Path, instances: int
) -> tuple[subprocess.Popen[bytes], int]:
    """``motcua-server run`` (workers: one per core on PostgreSQL); nginx is its proxy;
    ``instances`` of it share the database's connections."""
    port = free_port()
    env = {
        **os.environ,
        "MOTCUA_DATABASE_URL": url,
        "MOTCUA_DATA_DIR": str(data_dir),
        "MOTCUA_SECRET_KEY": "bench",
        "MOTCUA_APP_INSTANCES": str(instances),
        # Only nginx is a proxy: the bench's other loopback addresses are clients.
        "MOTCUA_TRUSTED_PROXIES": "127.0.0.1/32",
        "PYTHONPATH": str(ROOT),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "queue_server.cli", "run", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / "server.log", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    wait_healthy(f"http://127.0.0.1:{port}", process)
    return process, port


def wait_healthy(url: str, process: subprocess.Popen[bytes], verify: bool = True) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{url}/api/v1/health", timeout=1, verify=verify).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def start_nginx(scratch: Path, app_ports: list[int]) -> tuple[subprocess.Popen[bytes], int]:
    """nginx running the shipped site config, rewritten only where a box differs:
    the upstream ports, a local TLS port and certificate, log and policy paths."""
    scratch.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(scratch / "tls.key"),
         "-out", str(scratch / "tls.crt")],
        check=True,
        capture_output=True,
    )
    port, redirect_port = free_port(), free_port()
    site = (ROOT / "deploy" / "nginx" / "motcua.conf").read_text(encoding="utf-8")
    upstream = "".join(f"    server 127.0.0.1:{p};\n" for p in app_ports)
    replacements = {
        "    server 127.0.0.1:8000;\n": upstream,
        "include /etc/motcua/nginx/policy.conf;": (
            'map $remote_addr $motcua_staff { default 1; }\nmap $host $motcua_hsts { default ""; }'
        ),
        "    listen 80;\n    listen [::]:80;\n": f"    listen 127.0.0.1:{redirect_port};\n",
        "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n": (
            f"    listen 127.0.0.1:{port} ssl;\n"
        ),
        "/var/log/nginx/": f"{scratch}/",
        "/etc/motcua/tls/motcua.crt": str(scratch / "tls.crt"),
        "/etc/motcua/tls/motcua.key": str(scratch / "tls.key"),
    }
    for old, new in replacements.items():
        if old not in site:
            raise RuntimeError(f"deploy/nginx/motcua.conf changed: {old.strip()!r} not found")
        site = site.replace(old, new)
    (scratch / "motcua.conf").write_text(site, encoding="utf-8")
    (scratch / "nginx.conf").write_text(
        f"user root;\nworker_processes auto;\nworker_rlimit_nofile 65536;\n"
        f"pid {scratch}/nginx.pid;\nerror_log {scratch}/error.log crit;\n"
        "events { worker_connections 16384; }\n"
        f"http {{\n  client_body_temp_path {scratch}/body;\n  proxy_temp_path {scratch}/proxy;\n"
        f"  fastcgi_temp_path {scratch}/fcgi;\n  uwsgi_temp_path {scratch}/uwsgi;\n"
        f"  scgi_temp_path {scratch}/scgi;\n  include {scratch}/motcua.conf;\n}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        ["nginx", "-p", str(scratch), "-c", str(scratch / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=open(scratch / "nginx.stderr", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    wait_healthy(f"https://127.0.0.1:{port}", process, verify=False)
    return process, port


def address(index: int) -> str:
    """A loopback address of its own per client (127.0.0.1 is the proxy)."""
    index += 2
    return f"127.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"


class Client:
    """A small pool of keep-alive HTTP/1.1 connections (asyncio, TLS or not)."""

    def __init__(self, port: int, tls: ssl.SSLContext | None, size: int) -> None:
        self.port, self.tls = port, tls
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = (
            asyncio.Queue()
        )
        for _ in range(size):
            self.idle.put_nowait(None)
        self.opened = 0

    async def request(
        self, method: str, path: str, token: str | None = None, body: bytes = b""
    ) -> tuple[int, bytes]:
        conn = await self.idle.get()
        try:
            if conn is None:
                self.opened += 1
                conn = await asyncio.open_connection(
                    "127.0.0.1", self.port, ssl=self.tls, local_addr=(address(self.opened), 0)
                )
            reader, writer = conn
            head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
            if token:
                head += f"Authorization: Bearer {token}\r\n"
            if body:
                head += "Content-Type: application/json\r\n"
            writer.write(head.encode() + b"\r\n" + body)
            status, data = await read_response(reader)
        except BaseException:
            self.idle.put_nowait(None)
            raise
        self.idle.put_nowait(conn)
        return status, data


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status = int((await reader.readline()).split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int((await reader.readline()).strip(), 16):
            body += await reader.readexactly(size)
            await reader.readline()
        await reader.readline()
        return status, body
    return status, b""


async def watch(screen: Screen, port: int, tls: ssl.SSLContext | None, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await follow(screen, port, tls, stop)
        except (OSError, ValueError, IndexError):
            pass
        if not stop.is_set():
            screen.reconnects += 1
            await asyncio.sleep(RECONNECT_S)


async def follow(
    screen: Screen, port: int, tls: ssl.SSLContext | None, stop: asyncio.Event
) -> None:
    """One connection of the stream, until it ends."""
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=tls, local_addr=(screen.address, 0)
    )
    resume = f"Last-Event-ID: {screen.last_id}\r\n" if screen.last_id else ""
    writer.write(
        f"GET /api/v1/events?site={screen.site} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Accept: text/event-stream\r\n{resume}\r\n".encode()
    )
    tail = b""
    try:
        status = int((await reader.readline()).split()[1])
        if status != 200:
            return
        screen.connected.set()
        while not stop.is_set():
            chunk = await reader.read(65536)
            if not chunk:
                return
            now = time.monotonic()
            text = tail + chunk
            cut = text.rfind(b"\n\n") + 2
            for match in CALLED.finditer(text, 0, cut):
                screen.received.setdefault(match.group(1), now)
            ids = EVENT_ID.findall(text, 0, cut)
            if ids:
                screen.last_id = max(screen.last_id, int(ids[-1]))
            if b"event: resync\n" in text[:cut]:
                screen.resyncs += 1
                screen.last_id = 0  # the page reloads its snapshot and streams anew
                return
            tail = text[cut:]
    finally:
        writer.close()


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, bytes, float]] = field(default_factory=list)

    def note(self, operation: str, due: float, status: int, ok: tuple[int, ...]) -> None:
        if status in ok:
            self.latencies.setdefault(operation, []).append(time.monotonic() - due)
        else:
            key = f"{operation}:{status}"
            self.failures[key] = self.failures.get(key, 0) + 1


async def visitor(
    client: Client,
    site: Site,
    due: float,
    args: argparse.Namespace,
    tally: Tally,
    rng: random.Random,
) -> None:
    """One ticket's life: issued at a kiosk, called at a counter, looked up by phone."""
    await asyncio.sleep(max(0.0, due - time.monotonic()))
    body = json.dumps(kiosk_ticket(rng.choice(SERVICES))).encode()
    status, data = await client.request("POST", "/api/v1/tickets", rng.choice(site.kiosks), body)
    tally.note("issue", due, status, (201,))
    if status != 201:
        return
    track = json.loads(data)["track_token"]
    due += args.call_after
    await asyncio.sleep(max(0.0, due - time.monotonic()))
    counter_id, keypad = rng.choice(site.counters)
    status, data = await client.request("POST", f"/api/v1/counters/{counter_id}/call-next", keypad)
    tally.note("call_next", due, status, (200, 204))
    if status == 200:
        tally.calls.append((site.code, json.loads(data)["number"].encode(), time.monotonic()))
    due = time.monotonic() + args.lookup_after
    await asyncio.sleep(args.lookup_after)
    status, _ = await client.request("GET", f"/api/v1/track/{track}")
    tally.note("lookup", due, status, (200,))


def box_cpu(pids: list[int]) -> float:
    return sum(cpu_s(pid) for pid in pids)


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def postgres_cpu() -> float:
    total = 0.0
    for pid in postgres_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def day(
    sites: list[Site], port: int, tls: ssl.SSLContext | None, args: argparse.Namespace,
    measured: list[int],
) -> dict[str, Any]:
    """Every screen connects, then one slice of the day per ``--compress`` step."""
    stop = asyncio.Event()
    screens = [
        Screen(site.code, address(50_000 + index * args.screens + n))
        for index, site in enumerate(sites)
        for n in range(args.screens)
    ]
    # A tenth first, so every worker has warmed up before memory is read; then the rest.
    first = len(screens) // 10 or 1
    watchers, connecting, rss = [], [], []
    for part in (screens[:first], screens[first:]):
        watchers += [asyncio.create_task(watch(s, port, tls, stop)) for s in part]
        connecting += [asyncio.create_task(s.connected.wait()) for s in part]
        await asyncio.wait(connecting, timeout=60)
        await asyncio.sleep(1.0)
        rss.append(sum(rss_mb(pid) for pid in measured))
    connected = sum(s.connected.is_set() for s in screens)
    later = sum(s.connected.is_set() for s in screens[first:])
    result: dict[str, Any] = {
        "screens_connected": connected,
        "rss_mb_per_1000_idle_streams": round((rss[1] - rss[0]) * 1000 / max(later, 1), 1),
    }
    client = Client(port, tls, args.connections)
    try:
        for compress in args.compress:
            result[f"compress_{compress:g}"] = await day_slice(
                sites, screens, client, compress, args, measured
            )
    finally:
        stop.set()
        for task in watchers + connecting:
            task.cancel()
        await asyncio.gather(*watchers, *connecting, return_exceptions=True)
    return result


async def day_slice(
    sites: list[Site],
    screens: list[Screen],
    client: Client,
    compress: float,
    args: argparse.Namespace,
    measured: list[int],
) -> dict[str, Any]:
    """``--minutes`` of the day compressed ``compress`` times: every ticket issued,
    called and looked up on schedule; then each call's event awaited on the screens
    of its site (up to 15 s)."""
    rate = args.tickets_per_day / (args.day_hours * 3600 / compress)
    count = int(rate * args.minutes * 60)
    rng = random.Random(18)
    tally = Tally()
    app_before, pg_before, wall = box_cpu(measured), postgres_cpu(), time.monotonic()
    bench_before = time.process_time()
    drops_before = sum(screen.reconnects for screen in screens)
    resyncs_before = sum(screen.resyncs for screen in screens)
    start = time.monotonic() + 0.5
    tasks = [
        asyncio.create_task(
            visitor(client, sites[i % len(sites)], start + i / rate, args, tally, rng)
        )
        for i in range(count)
    ]
    budget = args.minutes * 60 + args.call_after + args.lookup_after + 60
    done, pending = await asyncio.wait(tasks, timeout=budget)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    took = time.monotonic() - wall
    app_cpu, pg_cpu = box_cpu(measured) - app_before, postgres_cpu() - pg_before
    bench_cpu = time.process_time() - bench_before
    errors = {type(e).__name__ for t in done if not t.cancelled() and (e := t.exception())}

    by_site: dict[str, list[Screen]] = {}
    for screen in screens:
        if screen.connected.is_set():
            by_site.setdefault(screen.site, []).append(screen)

    def undelivered() -> int:
        return sum(
            number not in screen.received
            for code, number, _ in tally.calls
            for screen in by_site.get(code, [])
        )

    deadline = time.monotonic() + 15
    while undelivered() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    delivery = [
        max(0.0, screen.received[number] - answered)
        for code, number, answered in tally.calls
        for screen in by_site.get(code, [])
        if number in screen.received
    ]
    issued = len(tally.latencies.get("issue", []))
    result: dict[str, Any] = {
        "offered_tickets_per_s": round(rate, 1),
        "tickets_due": count,
        "tickets_issued": issued,
        "issued_per_s": round(issued / took, 1),
        "unfinished": len(pending),
        "errors": sorted(errors),
        "failures": tally.failures,
    }
    for operation, values in sorted(tally.latencies.items()):
        result[f"{operation}_p50_ms"] = round(percentile(values, 0.5) * 1000, 1)
        result[f"{operation}_p99_ms"] = round(percentile(values, 0.99) * 1000, 1)
    result["event_p50_ms"] = round(percentile(delivery, 0.5) * 1000, 1) if delivery else None
    result["event_p99_ms"] = round(percentile(delivery, 0.99) * 1000, 1) if delivery else None
    result["event_deliveries"] = len(delivery)
    result["events_missed"] = undelivered()
    result["stream_reconnects"] = sum(screen.reconnects for screen in screens) - drops_before
    result["stream_resyncs"] = sum(screen.resyncs for screen in screens) - resyncs_before
    result["app_nginx_cpu_s_per_1000_tickets"] = round(app_cpu * 1000 / max(issued, 1), 1)
    result["postgres_cpu_s_per_1000_tickets"] = round(pg_cpu * 1000 / max(issued, 1), 1)
    result["bench_cpu_s"] = round(bench_cpu, 1)
    result["load_1min_after"] = round(os.getloadavg()[0], 1)
    return result


def run_box(
    sites: list[Site], url: str, scratch: Path, processes: int, args: argparse.Namespace
) -> dict[str, Any]:
    """``processes`` app processes (each one worker per core) behind one nginx."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        ports = []
        for n in range(processes):
            process, port = start_app(url, scratch / f"app-{processes}-{n}", processes)
            started.append(process)
            ports.append(port)
        tls: ssl.SSLContext | None = None
        port = ports[0]
        if args.nginx:
            proxy, port = start_nginx(scratch / f"nginx-{processes}", ports)
            started.append(proxy)
            tls = ssl.create_default_context()
            tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
        load = os.getloadavg()[0]
        result = asyncio.run(day(sites, port, tls, args, [p.pid for p in started]))
        return {"app_processes": processes, "load_1min_before": round(load, 1), **result}
    finally:
        for process in reversed(started):
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--counters", type=int, default=30)
    parser.add_argument("--kiosks", type=int, default=5)
    parser.add_argument("--screens", type=int, default=10, help="boards and tracking pages")
    parser.add_argument("--tickets-per-day", type=int, default=150_000)
    parser.add_argument("--day-hours", type=float, default=8.0)
    parser.add_argument(
        "--compress",
        type=lambda text: [float(x) for x in text.split(",")],
        default=[20.0],
        help="how much faster the day runs; a list (2,5,20) runs one slice each, to find "
        "where the box tops out",
    )
    parser.add_argument("--minutes", type=float, default=1.0, help="wall minutes of the day run")
    parser.add_argument("--call-after", type=float, default=2.0, help="seconds, issue to call")
    parser.add_argument("--lookup-after", type=float, default=0.5, help="seconds, call to lookup")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive request pool")
    parser.add_argument("--processes", default="1,2", help="app process counts to run")
    parser.add_argument("--no-nginx", dest="nginx", action="store_false")
    args = parser.parse_args()
    if not postgres_available():
        print(json.dumps({"error": "PostgreSQL unavailable"}))
        return
    args.nginx = args.nginx and shutil.which("nginx") is not None
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    summary: dict[str, Any] = {
        "sites": args.sites,
        "counters": args.counters,
        "kiosks": args.kiosks,
        "screens": args.screens * args.sites,
        "day": f"{args.tickets_per_day} tickets in {args.day_hours} h",
        "minutes": args.minutes,
        "nginx": args.nginx,
        "cores": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as tmp, temporary_schema() as schema:
        scratch = Path(tmp)
        made = time.monotonic()
        sites = create_sites(POSTGRES_URL, schema, scratch, args)
        summary["setup_s"] = round(time.monotonic() - made, 1)
        url = database_env(POSTGRES_URL, schema)
        for processes in (int(n) for n in args.processes.split(",")):
            summary[f"processes_{processes}"] = run_box(sites, url, scratch, processes, args)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
