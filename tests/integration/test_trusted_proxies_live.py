"""``MOTCUA_TRUSTED_PROXIES`` on the real server, as ``deploy/compose.yaml`` uses it.

Under compose the peer is the Docker network's gateway standing for the host's
nginx, not loopback. Here 127.0.0.2 plays that gateway: the server believes its
``X-Forwarded-For`` and no one else's, not even a loopback peer's any more.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from clocks import TickingClock
from live_server import LiveServer
from server_fixtures import PASSWORD, build_runtime, seed_callers

from queue_server.config import SettingsError, load_settings, parse_networks

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"
GATEWAY = "127.0.0.2"
UNKNOWN_CODE = "000.00.06.H56-231027-0361"


class Peer:
    """HTTP calls to the live server from one local source address."""

    def __init__(self, server: LiveServer, source: str) -> None:
        self.server, self.source = server, source

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.server.port, timeout=10, source_address=(self.source, 0)
        )
        try:
            data = json.dumps(body).encode() if body is not None else None
            if data is not None:
                headers["Content-Type"] = "application/json"
            connection.request(method, f"/api/v1{path}", body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            connection.close()

    def lookup(self, forwarded_for: str) -> int:
        status, _ = self.call(
            "GET", f"/dossiers/lookup?q={UNKNOWN_CODE}", **{"X-Forwarded-For": forwarded_for}
        )
        return status


@pytest.fixture
def live(tmp_path: Path, ticking_clock: TickingClock) -> Iterator[tuple[LiveServer, str]]:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, _ = seed_callers(runtime)
    runtime.db.dispose()
    server = LiveServer(url, tmp_path)
    server.env["MOTCUA_TRUSTED_PROXIES"] = f"{GATEWAY}/32"
    server.start()
    try:
        yield server, tokens["admin"]
    finally:
        server.stop()


def test_the_lookup_limit_follows_the_forwarded_address_only_from_the_trusted_peer(
    live: tuple[LiveServer, str],
) -> None:
    server, _ = live
    gateway, loopback = Peer(server, GATEWAY), Peer(server, "127.0.0.1")

    flood = [gateway.lookup("198.51.100.7, 203.0.113.10") for _ in range(21)]
    assert flood[:20] == [404] * 20 and flood[20] == 429
    # Another visitor behind the same gateway keeps their own budget.
    assert gateway.lookup("203.0.113.20") == 404
    # From a peer not in the list the header is ignored: forging it buys nothing.
    forged = [loopback.lookup(f"203.0.113.{n}") for n in range(30, 51)]
    assert forged[:20] == [404] * 20 and forged[20] == 429


def test_the_audit_records_the_forwarded_address_only_from_the_trusted_peer(
    live: tuple[LiveServer, str],
) -> None:
    server, admin = live
    wrong = {"username": "officer", "password": "khong-phai-mat-khau"}
    gateway, loopback = Peer(server, GATEWAY), Peer(server, "127.0.0.1")
    forwarded = "X-Forwarded-For"
    assert gateway.call("POST", "/auth/token", wrong, **{forwarded: "203.0.113.9"})[0] == 401
    assert loopback.call("POST", "/auth/token", wrong, **{forwarded: "203.0.113.66"})[0] == 401
    assert gateway.call(
        "POST", "/auth/token", {"username": "officer", "password": PASSWORD}
    )[0] == 201

    status, body = loopback.call(
        "GET", "/audit?kind=auth.", Authorization=f"Bearer {admin}"
    )
    assert status == 200
    addresses = [(e["kind"], e["address"]) for e in reversed(body["entries"])]
    assert addresses == [("auth.failed", "203.0.113.9"), ("auth.failed", "127.0.0.1"),
                         ("auth.ok", GATEWAY)]


def test_the_compose_file_trusts_the_gateway_of_its_own_network() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    setting = compose["services"]["server"]["environment"]["MOTCUA_TRUSTED_PROXIES"]
    trusted = parse_networks(setting)
    ipam = compose["networks"]["default"]["ipam"]["config"][0]
    gateway = parse_networks(ipam["gateway"])[0]
    assert trusted == (gateway,)
    assert gateway.subnet_of(parse_networks(ipam["subnet"])[0])  # type: ignore[arg-type]


def test_the_setting_defaults_to_loopback_and_refuses_what_is_not_an_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MOTCUA_TRUSTED_PROXIES", raising=False)
    default = load_settings({"data_dir": tmp_path, "secret_key": "test"}).trusted_proxies
    assert [str(n) for n in default] == ["127.0.0.0/8", "::1/128"]
    monkeypatch.setenv("MOTCUA_TRUSTED_PROXIES", "172.30.0.1, 10.8.0.0/16 ,")
    chosen = load_settings({"data_dir": tmp_path, "secret_key": "test"}).trusted_proxies
    assert [str(n) for n in chosen] == ["172.30.0.1/32", "10.8.0.0/16"]
    monkeypatch.setenv("MOTCUA_TRUSTED_PROXIES", "docker-gateway")
    with pytest.raises(SettingsError) as refused:
        load_settings({"data_dir": tmp_path, "secret_key": "test"})
    assert "MOTCUA_TRUSTED_PROXIES" in refused.value.message_vi
