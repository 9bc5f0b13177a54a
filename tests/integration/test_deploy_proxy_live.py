"""The nginx site in front of the real server: TLS, the HTTP redirect, and server-sent
events delivered as they happen through it (the site turns buffering off for the
stream, and the server also answers ``X-Accel-Buffering: no``)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import urllib3
from clocks import TickingClock
from live_server import LiveServer, free_port
from server_fixtures import build_runtime, seed_callers
from sse_reader import messages

SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "motcua.conf"


@pytest.fixture
def proxied(
    tmp_path: Path,
    ticking_clock: TickingClock,
) -> Iterator[tuple[str, str, dict[str, str]]]:
    nginx = shutil.which("nginx")
    if nginx is None or shutil.which("openssl") is None:
        pytest.skip("nginx or openssl is not installed (Debian: nginx-light, openssl)")
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, _ = seed_callers(runtime)
    runtime.db.dispose()
    server = LiveServer(url, tmp_path).start()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "k.key"),
         "-out", str(tmp_path / "c.crt")],
        capture_output=True, check=True, timeout=60,
    )
    https, http = free_port(), free_port()
    site = (
        SITE.read_text()
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{server.port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
        .replace("listen 80;", f"listen 127.0.0.1:{http};")
        .replace("/etc/motcua/tls/motcua.crt", str(tmp_path / "c.crt"))
        .replace("/etc/motcua/tls/motcua.key", str(tmp_path / "k.key"))
    )
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (tmp_path / "motcua.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/body;\n"
        f" proxy_temp_path {tmp_path}/proxy;\n include {tmp_path}/motcua.conf;\n}}\n"
    )
    proxy = subprocess.Popen(
        [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    base = f"https://127.0.0.1:{https}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/api/v1/health", verify=False, timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield base, f"http://127.0.0.1:{http}", tokens
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        server.kill()  # no graceful wait on a quiet event stream


def test_events_pass_the_proxy_as_they_happen(
    proxied: tuple[str, str, dict[str, str]],
) -> None:
    base, plain, tokens = proxied
    health = requests.get(f"{base}/api/v1/health", verify=False, timeout=10)
    assert health.status_code == 200
    assert health.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert health.headers["X-Frame-Options"] == "DENY"
    login = requests.get(f"{base}/admin/login", verify=False, timeout=10)
    assert login.status_code == 200 and "csrf_token" in login.text
    redirect = requests.get(f"{plain}/board", allow_redirects=False, timeout=10)
    assert redirect.status_code == 301 and redirect.headers["Location"].startswith("https://")

    with requests.get(
        f"{base}/api/v1/events", headers={"Authorization": f"Bearer {tokens['board']}"},
        stream=True, verify=False, timeout=15,
    ) as stream:
        events = messages(stream.iter_content(chunk_size=None))
        next(events)  # the opening message
        issued = requests.post(
            f"{base}/api/v1/tickets", json={"service": "ho-tich"}, verify=False, timeout=10,
            headers={"Authorization": f"Bearer {tokens['kiosk']}"},
        )
        assert issued.status_code == 201
        seen = next(m for _, m in zip(range(20), events, strict=False) if m.id is not None)
    assert seen.kind == "ticket.issued"
    assert seen.data["number"] == issued.json()["number"]
