"""Device fleet: pairing by one-time code, configuration pushed through the event
stream, heartbeats, silent and unhealthy devices flagged."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from live_server import LiveServer
from server_fixtures import Api, build_runtime, seed_callers
from sse_reader import messages

from queue_server.client.fleet import DeviceAgent
from queue_server.services.clock import utc_now


def _ask_code(api: Api, token: str, kind: str = "kiosk") -> str:
    response = api.client.post(
        "/api/v1/pairing",
        json={"kind": kind, "hardware": "Mini PC N100 #7",
              "token_hash": hashlib.sha256(token.encode()).hexdigest()},
    )
    assert response.status_code == 201, response.json
    return str(response.json["code"])


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_pairing_turns_the_device_secret_into_its_token(api: Api, clock: Any) -> None:
    secret = "bi-mat-cua-ki-ot-sanh-1-khong-ai-biet"
    assert api.client.get("/api/v1/devices/me", headers=_as(secret)).status_code == 401
    code = _ask_code(api, secret)
    assert len(code) == 6 and code.isdigit()
    assert api.call(
        "POST", "/devices/pair", "supervisor", json={"code": code, "name": "kiosk-sanh-1"}
    ).status_code == 403
    paired = api.call(
        "POST", "/devices/pair", "technician",
        json={"code": code, "name": "kiosk-sanh-1", "counter": 3},
    )
    assert paired.status_code == 201
    mine = api.client.get("/api/v1/devices/me", headers=_as(secret))
    assert mine.status_code == 200
    assert mine.json["name"] == "kiosk-sanh-1" and mine.json["config"] == {"counter": 3}
    # The paired token acts as a kiosk: it issues tickets.
    issued = api.client.post("/api/v1/tickets", json={"service": "ho-tich"}, headers=_as(secret))
    assert issued.status_code == 201
    # A code works once.
    again = api.call("POST", "/devices/pair", "technician", json={"code": code, "name": "x"})
    assert again.status_code == 404
    audit = api.call("GET", "/audit?kind=accounts.", "admin").json["entries"]
    assert audit[0]["detail"]["device_paired"] == "kiosk-sanh-1"
    assert audit[0]["actor"] == "user:technician"


def test_a_code_expires_after_ten_minutes(api: Api, clock: Any) -> None:
    code = _ask_code(api, "mot-bi-mat-khac-cho-bang-hien-thi", kind="board")
    clock.advance(minutes=10, seconds=1)
    late = api.call("POST", "/devices/pair", "technician", json={"code": code, "name": "tv-1"})
    assert late.status_code == 404
    assert "10 phút" in late.json["error"]["message_vi"]


def test_silent_and_unhealthy_devices_are_flagged(api: Api, clock: Any) -> None:
    tokens = {}
    for name in ("kiosk-a", "kiosk-b", "kiosk-c"):
        tokens[name] = f"token-of-{name}-that-is-long-enough"
        code = _ask_code(api, tokens[name])
        assert api.call(
            "POST", "/devices/pair", "technician", json={"code": code, "name": name}
        ).status_code == 201

    def beat(name: str, **health: Any) -> None:
        response = api.client.post(
            "/api/v1/devices/me/heartbeat", json=health, headers=_as(tokens[name])
        )
        assert response.status_code == 204

    def status() -> dict[str, str]:
        fleet = api.call("GET", "/devices", "technician").json["devices"]
        return {d["name"]: d["status"] for d in fleet}

    assert status() == {"kiosk-a": "never_seen", "kiosk-b": "never_seen", "kiosk-c": "never_seen"}
    beat("kiosk-a", printer="ok", scanner="ok", version="1.0", uptime_s=60)
    beat("kiosk-b", printer="paper_out", scanner="ok")
    beat("kiosk-c", printer="ok")
    assert status() == {"kiosk-a": "ok", "kiosk-b": "unhealthy", "kiosk-c": "ok"}
    # kiosk-c stops; the others keep beating every 30 s.
    for _ in range(4):
        clock.advance(seconds=30)
        beat("kiosk-a", printer="ok")
        beat("kiosk-b", printer="paper_out")
    assert status() == {"kiosk-a": "ok", "kiosk-b": "unhealthy", "kiosk-c": "silent"}
    fleet = api.call("GET", "/devices", "admin").json["devices"]
    assert next(d for d in fleet if d["name"] == "kiosk-b")["problems"] == ["printer"]


def test_a_config_change_is_announced_without_the_config(api: Api) -> None:
    code = _ask_code(api, "bi-mat-cua-bang-dien-tu-quay-ba")
    device = api.call(
        "POST", "/devices/pair", "technician", json={"code": code, "name": "led-3"}
    ).json
    bad = api.call("PUT", f"/devices/{device['id']}/config", "technician", json={"paper": 57})
    assert bad.status_code == 400 and bad.json["error"]["message_vi"]
    put = api.call(
        "PUT", f"/devices/{device['id']}/config", "technician",
        json={"serial": {"port": "/dev/motcua/led", "baudrate": 9600}, "counter": 3},
    )
    assert put.status_code == 200 and put.json["revision"] == 2
    log = api.call("GET", "/audit?kind=config.device", "admin").json["entries"]
    assert log[0]["detail"] == {"device": "led-3", "revision": 2}
    private = api.call("GET", "/audit?kind=devices.configured", "admin").json["entries"]
    assert private[0]["detail"]["config"]["serial"]["port"] == "/dev/motcua/led"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, utc_now)
    tokens, _ = seed_callers(runtime)
    runtime.db.dispose()
    server = LiveServer(url, tmp_path).start()
    yield server, tokens
    server.kill()  # no graceful wait on a quiet event stream


def test_pairing_and_config_push_end_to_end(live: tuple[LiveServer, dict[str, str]]) -> None:
    server, tokens = live
    technician = requests.Session()
    technician.headers["Authorization"] = f"Bearer {tokens['technician']}"
    agent = DeviceAgent(server.url, "kiosk", hardware="Mini PC N100 #7")
    code = agent.request_code()
    assert agent.config() is None  # not paired yet
    paired = technician.post(
        f"{server.url}/api/v1/devices/pair", json={"code": code, "name": "kiosk-sanh-2"},
        timeout=10,
    )
    assert paired.status_code == 201
    assert agent.config() == {}
    agent.heartbeat(printer="ok", scanner="ok", version="1.0", uptime_s=5)

    with requests.get(
        f"{server.url}/api/v1/events", headers={"Authorization": f"Bearer {agent.token}"},
        stream=True, timeout=20,
    ) as stream:
        events = messages(stream.iter_content(chunk_size=None))
        next(events)  # the stream's opening message
        changed = technician.put(
            f"{server.url}/api/v1/devices/{paired.json()['id']}/config",
            json={"printer_url": "usb://0x0416:0x5011", "paper": 58, "scanners": ["camera:0"]},
            timeout=10,
        )
        assert changed.status_code == 200
        new_config = None
        for _, message in zip(range(50), events, strict=False):
            if agent.is_newer(message.kind, message.data):
                new_config = agent.config()
                break
    assert new_config == {
        "printer_url": "usb://0x0416:0x5011", "paper": 58, "scanners": ["camera:0"]
    }
    fleet = technician.get(f"{server.url}/api/v1/devices", timeout=10).json()["devices"]
    assert [(d["name"], d["status"], d["config_revision"]) for d in fleet] == [
        ("kiosk-sanh-2", "ok", 2)
    ]


def test_technician_pairs_and_checks_the_fleet_from_the_command_line(
    api: Api, tmp_path: Path, database_url: tuple[str, str | None],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from live_server import database_env

    from queue_server.cli import main

    url, schema = database_url
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_env(url, schema))
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_SECRET_KEY", "test")
    secret = "bi-mat-cua-may-danh-gia-quay-hai"
    code = _ask_code(api, secret, kind="rating")
    assert main(["pair", code, "--name", "rating-2", "--counter", "2"]) == 0
    assert main(["fleet"]) == 1  # paired, never heard from yet
    assert "never_seen  rating   rating-2" in capsys.readouterr().out
    assert api.client.post(
        "/api/v1/devices/me/heartbeat", json={"version": "1.0"}, headers=_as(secret)
    ).status_code == 204
    assert main(["fleet"]) == 0
