"""The nginx site in front of the real server: TLS, the HTTP redirect, server-sent
events delivered as they happen through it (the site turns buffering off for the
stream, and the server also answers ``X-Accel-Buffering: no``), and the limits the
site puts on the hall's networks: staff pages only from the staff allow-list,
pairing rate-limited per address, no secret in any nginx log, TLS 1.2 only
with forward secrecy."""

from __future__ import annotations

import http.client
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import urllib3
from clocks import TickingClock, process_env
from live_server import LiveServer
from nginx_site import NginxSite, require_nginx
from nginx_site import start_site as start_nginx
from server_fixtures import build_runtime, seed_callers
from sse_reader import messages

TRACKING_TOKEN = "Zx9secretTrackingToken"
DOSSIER_CODE = "000.00.06.H56-231027-0361"


@dataclass
class Proxied:
    base: str
    plain: str
    port: int
    tokens: dict[str, str]
    server: LiveServer
    logs: Callable[[], dict[str, str]]


def _wait_until(ready: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        requests.get(url, verify=False, timeout=2)
    except requests.ConnectionError:
        return False
    return True


@pytest.fixture
def start_site(
    tmp_path: Path, ticking_clock: TickingClock
) -> Iterator[Callable[[str], Proxied]]:
    """Starts the real server and, in front of it, the shipped site with the policy
    generated from a site file whose ``[network]`` section is given."""
    require_nginx()
    running: list[tuple[NginxSite, LiveServer]] = []

    def start(network: str) -> Proxied:
        url = f"sqlite:///{tmp_path / 'motcua.db'}"
        runtime = build_runtime(url, None, tmp_path, ticking_clock)
        tokens, _ = seed_callers(runtime)
        runtime.db.dispose()
        server = LiveServer(url, tmp_path).start()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "k.key"),
             "-out", str(tmp_path / "c.crt")],
            capture_output=True, check=True, timeout=60, env=process_env(),
        )
        site = start_nginx(
            tmp_path / "nginx", server.port, tmp_path / "c.crt", tmp_path / "k.key", network
        )
        running.append((site, server))
        base = site.url
        _wait_until(lambda: _answers(f"{base}/api/v1/health"))
        return Proxied(base, f"http://127.0.0.1:{site.http_port}", site.https_port, tokens,
                       server, site.logs)

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    try:
        yield start
    finally:
        for site, server in running:
            site.stop()
            server.kill()  # no graceful wait on a quiet event stream


def test_events_pass_the_proxy_as_they_happen(start_site: Callable[[str], Proxied]) -> None:
    site = start_site('staff_networks = ["127.0.0.1"]\n')
    base, tokens = site.base, site.tokens
    health = requests.get(f"{base}/api/v1/health", verify=False, timeout=10)
    assert health.status_code == 200
    # The test certificate is not trusted by anyone: no HSTS for it.
    assert "Strict-Transport-Security" not in health.headers
    assert health.headers["X-Frame-Options"] == "DENY"
    login = requests.get(f"{base}/admin/login", verify=False, timeout=10)
    assert login.status_code == 200 and "csrf_token" in login.text
    assert "secure" in login.headers["Set-Cookie"].lower()
    redirect = requests.get(f"{site.plain}/board", allow_redirects=False, timeout=10)
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


def _get_from(source: str, port: int, path: str) -> int:
    """The status of ``path`` asked from the local address ``source``."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0),
        context=ssl._create_unverified_context(),
    )
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_staff_pages_answer_only_the_staff_networks(
    start_site: Callable[[str], Proxied],
) -> None:
    site = start_site('staff_networks = ["127.0.0.2"]\nhsts_names = ["127.0.0.1"]\n')
    for path in ("/admin/login", "/admin/devices/live", "/counter", "/reports"):
        assert _get_from("127.0.0.1", site.port, path) == 403, path
    token = requests.post(
        f"{site.base}/api/v1/auth/token", json={"username": "x", "password": "y"},
        verify=False, timeout=10,
    )
    assert token.status_code == 403
    # The visitors' side stays open; the staff network gets the sign-in page.
    assert _get_from("127.0.0.1", site.port, "/api/v1/health") == 200
    assert _get_from("127.0.0.1", site.port, "/board") == 200
    assert _get_from("127.0.0.2", site.port, "/admin/login") == 200
    # A name listed as publicly trusted gets HSTS.
    health = requests.get(f"{site.base}/api/v1/health", verify=False, timeout=10)
    assert health.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_pairing_requests_are_limited_per_address(start_site: Callable[[str], Proxied]) -> None:
    site = start_site("")
    # An empty request: the server refuses it (400) for as long as nginx lets it through.
    statuses = [
        requests.post(f"{site.base}/api/v1/pairing", json={}, verify=False, timeout=10).status_code
        for _ in range(8)
    ]
    assert statuses[:6] == [400] * 6  # the first and a burst of five
    assert statuses[6:] == [429, 429]


def test_no_nginx_log_keeps_a_tracking_token_or_dossier_code(
    start_site: Callable[[str], Proxied],
) -> None:
    """Also not when nginx itself refuses a request or the server is down: nginx
    would write the whole request line into its error log for both."""
    site = start_site("")
    for path in (f"/t/{TRACKING_TOKEN}?lang=en", f"/api/v1/track/{TRACKING_TOKEN}",
                 f"/api/v1/dossier-ratings/{DOSSIER_CODE}"):
        requests.get(f"{site.base}{path}", verify=False, timeout=10)
    # A kiosk's lookups (the server allows a device more than nginx allows an
    # address) until nginx refuses one.
    kiosk = {"Authorization": f"Bearer {site.tokens['kiosk']}"}
    refused = None
    for _ in range(40):
        lookup = requests.get(f"{site.base}/api/v1/dossiers/lookup", params={"q": DOSSIER_CODE},
                              headers=kiosk, verify=False, timeout=10)
        if lookup.status_code == 429:
            refused = lookup
            break
    assert refused is not None and "nginx" in refused.text  # nginx's page, not the server's
    site.server.kill()
    down = requests.get(f"{site.base}/t/{TRACKING_TOKEN}", verify=False, timeout=10)
    assert down.status_code == 502

    _wait_until(lambda: '"GET /t/*" 502' in site.logs()["motcua.access.log"])
    logs = site.logs()
    access = logs["motcua.access.log"]
    assert '"GET /api/v1/dossiers/lookup" 429' in access and '"GET /api/v1/track/*"' in access
    assert '"GET /api/v1/dossier-ratings/*"' in access
    for name, text in logs.items():
        assert TRACKING_TOKEN not in text and DOSSIER_CODE not in text, name
    assert "?" not in access


def _handshake(port: int, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", *options],
        input="", capture_output=True, text=True, timeout=30, env=process_env(),
    )


def test_tls_refuses_suites_without_forward_secrecy_or_aead(
    start_site: Callable[[str], Proxied],
) -> None:
    site = start_site("")
    for suite in ("AES128-SHA", "CAMELLIA256-SHA", "ECDHE-RSA-AES128-SHA"):
        refused = _handshake(site.port, "-tls1_2", "-cipher", suite)
        assert refused.returncode != 0 and f"Cipher is {suite}" not in refused.stdout
    accepted = _handshake(site.port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")
    assert accepted.returncode == 0 and "Cipher is ECDHE-RSA-AES128-GCM-SHA256" in accepted.stdout
    # No session tickets: resumption keys never outlive the session cache.
    assert "session ticket" not in accepted.stdout.lower()
    assert _handshake(site.port, "-tls1_3").returncode == 0
