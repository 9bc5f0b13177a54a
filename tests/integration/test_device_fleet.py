"""Device fleet: pairing by one-time code, hand-made device tokens joining on their own,
configuration pushed through the event stream and the heartbeat answer, health changes
told to the technician, counters rebound, devices revoked, silent and unhealthy flagged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from clocks import TickingClock
from fleet_steps import ask_code, bearer, beat, fleet_by_name, pair, signed_in
from live_server import LiveServer
from server_fixtures import Api, seeded_sqlite
from sse_reader import messages

from device_kit.contract.device_wire import Health
from device_kit.fleet import DeviceAgent


def test_pairing_turns_the_device_secret_into_its_token(api: Api, clock: Any) -> None:
    secret = "bi-mat-cua-ki-ot-sanh-1-khong-ai-biet"
    assert api.client.get("/api/v1/devices/me", headers=bearer(secret)).status_code == 401
    code = ask_code(api, secret)
    assert len(code) == 6 and code.isdigit()
    assert api.call(
        "POST", "/devices/pair", "supervisor", json={"code": code, "name": "kiosk-sanh-1"}
    ).status_code == 403
    paired = api.call(
        "POST", "/devices/pair", "technician",
        json={"code": code, "name": "kiosk-sanh-1", "counter": 3},
    )
    assert paired.status_code == 201
    mine = api.client.get("/api/v1/devices/me", headers=bearer(secret))
    assert mine.status_code == 200
    assert mine.json["name"] == "kiosk-sanh-1" and mine.json["config"] == {"counter": 3}
    # The paired token acts as a kiosk: it issues tickets.
    issued = api.client.post("/api/v1/tickets", json={"service": "ho-tich"}, headers=bearer(secret))
    assert issued.status_code == 201
    # A code works once.
    again = api.call("POST", "/devices/pair", "technician", json={"code": code, "name": "x"})
    assert again.status_code == 404
    audit = api.call("GET", "/audit?kind=accounts.", "admin").json["entries"]
    assert audit[0]["detail"]["device_paired"] == "kiosk-sanh-1"
    assert audit[0]["actor"] == "user:technician"


def test_a_code_expires_after_ten_minutes(api: Api, clock: Any) -> None:
    code = ask_code(api, "mot-bi-mat-khac-cho-bang-hien-thi", kind="board")
    clock.advance(minutes=10, seconds=1)
    late = api.call("POST", "/devices/pair", "technician", json={"code": code, "name": "tv-1"})
    assert late.status_code == 404
    assert "10 phút" in late.json["error"]["message_vi"]


def test_silent_and_unhealthy_devices_are_flagged(api: Api, clock: Any) -> None:
    names = ("kiosk-a", "kiosk-b", "kiosk-c")
    tokens = {name: f"token-of-{name}-that-is-long-enough" for name in names}
    for name, token in tokens.items():
        pair(api, token, name)

    def status() -> dict[str, str]:
        return {name: d["status"] for name, d in fleet_by_name(api).items()}

    assert status() == {"kiosk-a": "never_seen", "kiosk-b": "never_seen", "kiosk-c": "never_seen"}
    beat(api, tokens["kiosk-a"], printer="ok", scanner="ok", version="1.0", uptime_s=60)
    beat(api, tokens["kiosk-b"], printer="paper_out", scanner="ok", role="kiosk-ticket",
          detail="Máy in hết giấy")
    beat(api, tokens["kiosk-c"], printer="ok")
    assert status() == {"kiosk-a": "ok", "kiosk-b": "unhealthy", "kiosk-c": "ok"}
    # kiosk-c stops; the others keep beating every 30 s. Silent is flagged after 90 s,
    # so well within the 2 minutes the issue allows.
    for _ in range(3):
        clock.advance(seconds=30)
        beat(api, tokens["kiosk-a"], printer="ok")
        beat(api, tokens["kiosk-b"], printer="paper_out", role="kiosk-ticket",
              detail="Máy in hết giấy")
    assert status()["kiosk-c"] == "ok"
    clock.advance(seconds=1)
    assert status() == {"kiosk-a": "ok", "kiosk-b": "unhealthy", "kiosk-c": "silent"}
    fleet = api.call("GET", "/devices", "admin").json["devices"]
    assert [d["name"] for d in fleet] == ["kiosk-c", "kiosk-b", "kiosk-a"]  # worst first
    unhealthy = fleet[1]
    assert (unhealthy["problems"], unhealthy["role"], unhealthy["detail"]) == (
        ["printer"], "kiosk-ticket", "Máy in hết giấy"
    )


def test_hand_made_device_tokens_join_the_fleet(api: Api) -> None:
    # A paired device already holds the name the board token (board-1) would take.
    pair(api, "bi-mat-cua-mot-bang-khac-cung-ten", "board-1", kind="board")
    assert fleet_by_name(api).keys() == {"board-1"}
    mine = api.call("GET", "/devices/me", "kiosk").json
    assert (mine["name"], mine["kind"], mine["config"], mine["revision"]) == (
        "kiosk-1", "kiosk", {}, 1
    )
    assert beat(api, api.tokens["keypad3"], serial="ok", role="counter-keypad") == 1
    board = api.call("GET", "/devices/me", "board").json
    assert board["name"].startswith("board-1-") and board["kind"] == "board"
    fleet = fleet_by_name(api)
    assert fleet.keys() == {"board-1", "kiosk-1", "keypad-3", board["name"]}
    assert (fleet["keypad-3"]["status"], fleet["keypad-3"]["config"]) == ("ok", {"counter": 3})
    assert fleet["kiosk-1"]["status"] == "never_seen"
    # Joining once is enough: the same token keeps its device.
    assert api.call("GET", "/devices/me", "kiosk").json["id"] == mine["id"]
    assert api.call("GET", "/devices/me", "technician").status_code == 403


def test_a_health_change_is_told_once_not_every_heartbeat(api: Api, clock: Any) -> None:
    secret = "bi-mat-cua-ki-ot-lay-so-o-sanh"
    pair(api, secret, "kiosk-sanh-1")
    out = {"printer": "paper_out", "scanner": "ok", "role": "kiosk-ticket",
           "detail": "Máy in hết giấy", "version": "1.4", "uptime_s": 600}
    for health in (
        {"printer": "ok", "scanner": "ok"}, {"printer": "ok", "scanner": "ok"},
        out, out, out,
        {**out, "scanner": "missing"},
        {"printer": "ok", "scanner": "ok", "role": "kiosk-ticket"},
        {"printer": "ok", "scanner": "ok", "role": "kiosk-ticket"},
    ):
        clock.advance(seconds=30)
        beat(api, secret, **health)
    told = api.call("GET", "/audit?kind=devices.health", "admin").json["entries"]
    assert [e["detail"]["problems"] for e in reversed(told)] == [
        ["printer"], ["printer", "scanner"], []
    ]
    first = told[-1]
    assert first["actor"] == "device:kiosk-sanh-1"
    assert first["detail"] == {
        "device": "kiosk-sanh-1", "kind": "kiosk", "role": "kiosk-ticket",
        "problems": ["printer"], "health": {**out, "camera": "", "serial": "", "audio": ""},
    }


def test_a_hall_board_that_cannot_speak_needs_a_technician(api: Api) -> None:
    secret = "bi-mat-cua-bang-sanh-khong-co-loa"
    pair(api, secret, "tv-sanh", kind="board")
    beat(api, secret, role="hall-board", audio="missing",
          detail="Loa: thiếu espeak-ng / audio: espeak-ng missing")
    board = fleet_by_name(api)["tv-sanh"]
    assert (board["status"], board["problems"]) == ("unhealthy", ["audio"])
    beat(api, secret, role="hall-board", audio="ok")
    assert fleet_by_name(api)["tv-sanh"]["status"] == "ok"


def test_a_config_change_is_announced_without_the_config(api: Api) -> None:
    secret = "bi-mat-cua-bang-dien-tu-quay-ba"
    device = pair(api, secret, "led-3", kind="board")
    assert beat(api, secret) == 1
    for bad in ({"paper": 57}, {"led_routes": ["3=/dev/ttyUSB0"]}, {"languages": "en"},
                {"led_routes": ["0=/dev/ttyUSB0:3"]}):
        refused = api.call("PUT", f"/devices/{device['id']}/config", "technician", json=bad)
        assert refused.status_code == 400 and refused.json["error"]["message_vi"], bad
    config = {
        "serial": {"port": "/dev/motcua/led", "baudrate": 9600},
        "led_routes": ["3=/dev/ttyUSB0:3", "4=tcp://127.0.0.1:7003:1"],
        "languages": "vi,en",
    }
    put = api.call("PUT", f"/devices/{device['id']}/config", "technician", json=config)
    assert put.status_code == 200 and put.json["revision"] == 2
    # A device that does not follow the stream learns of it from its next heartbeat.
    assert beat(api, secret) == 2
    log = api.call("GET", "/audit?kind=config.device", "admin").json["entries"]
    assert log[0]["detail"] == {"device": "led-3", "revision": 2}
    private = api.call("GET", "/audit?kind=devices.configured", "admin").json["entries"]
    assert private[0]["detail"]["config"]["serial"]["port"] == "/dev/motcua/led"
    mine = api.client.get("/api/v1/devices/me", headers=bearer(secret)).json
    assert mine["config"]["led_routes"] == config["led_routes"]
    assert mine["config"]["languages"] == "vi,en"


def test_moving_a_rating_terminal_moves_where_it_rates(api: Api) -> None:
    from test_ratings_api import rate, served

    terminal = api.call("GET", "/devices/me", "rating").json  # rating-1, bound to no counter
    assert api.desk(3, "sign-in", "officer").status_code == 200
    assert api.desk(4, "sign-in", "officer2").status_code == 200
    at_three = served(api, 3)
    assert rate(api, at_three["id"], who="rating").status_code == 403

    def bind(counter: int) -> Any:
        return api.call(
            "PUT", f"/devices/{terminal['id']}/config", "admin", json={"counter": counter}
        )

    assert bind(3).status_code == 200
    assert api.call("GET", "/ratings/desk", "rating").json["counter"] == 3
    assert rate(api, at_three["id"], who="rating").status_code == 201
    assert bind(4).status_code == 200
    assert api.call("GET", "/ratings/desk", "rating").json["counter"] == 4
    again_at_three = served(api, 3)
    assert rate(api, again_at_three["id"], who="rating").status_code == 403
    assert rate(api, served(api, 4, "officer2")["id"], who="rating").status_code == 201
    unknown = bind(42)
    assert unknown.status_code == 404
    assert unknown.json["error"]["message_vi"] == "Không có quầy 42."
    assert api.call("GET", "/ratings/desk", "rating").json["counter"] == 4


def test_a_revoked_device_stops_and_its_name_goes_to_its_replacement(api: Api) -> None:
    secret = "bi-mat-cua-ki-ot-tra-cuu-da-hong"
    device = pair(api, secret, "kiosk-tra-cuu")
    assert api.call("DELETE", f"/devices/{device['id']}", "supervisor").status_code == 403
    assert api.call("DELETE", f"/devices/{device['id']}", "technician").status_code == 204
    assert api.client.get("/api/v1/devices/me", headers=bearer(secret)).status_code == 401
    assert "kiosk-tra-cuu" not in fleet_by_name(api)
    assert api.call("DELETE", f"/devices/{device['id']}", "technician").status_code == 404
    audit = api.call("GET", "/audit?kind=accounts.", "admin").json["entries"]
    assert audit[0]["actor"] == "user:technician" and "token_revoked" in audit[0]["detail"]
    replacement = "bi-mat-cua-ki-ot-tra-cuu-moi-thay"
    pair(api, replacement, "kiosk-tra-cuu")
    assert fleet_by_name(api)["kiosk-tra-cuu"]["status"] == "never_seen"
    assert api.client.get("/api/v1/devices/me", headers=bearer(replacement)).status_code == 200


@pytest.fixture
def live(
    tmp_path: Path,
    ticking_clock: TickingClock,
) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    url, tokens, _ = seeded_sqlite(tmp_path, ticking_clock)
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
    agent.heartbeat(Health(printer="ok", scanner="ok", version="1.0", uptime_s=5))

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
        # The printer runs out of paper: the kiosk beats at once and the stream tells.
        assert agent.heartbeat(Health(printer="paper_out", role="kiosk-ticket",
                               detail="Máy in hết giấy")) == 2
        told = next(m for _, m in zip(range(50), events, strict=False)
                    if m.kind == "devices.health")
    assert new_config == {
        "printer_url": "usb://0x0416:0x5011", "paper": 58, "scanners": ["camera:0"]
    }
    assert (told.data["device"], told.data["problems"], told.data["health"]["detail"]) == (
        "kiosk-sanh-2", ["printer"], "Máy in hết giấy"
    )
    agent.heartbeat(Health(printer="ok", role="kiosk-ticket"))
    fleet = technician.get(f"{server.url}/api/v1/devices", timeout=10).json()["devices"]
    assert [(d["name"], d["status"], d["config_revision"]) for d in fleet] == [
        ("kiosk-sanh-2", "ok", 2)
    ]


def test_technician_pairs_and_checks_the_fleet_from_the_command_line(
    api: Api, tmp_path: Path, database_url: tuple[str, str | None], clock: Any,
    ticking_clock: TickingClock,
) -> None:
    from live_server import database_env, run_cli

    # The CLI runs in its own process on the module's running clock; the API moves
    # to the same moment, so a pairing code it issues is fresh for the CLI too.
    clock.now = ticking_clock()
    url, schema = database_url
    env = {"MOTCUA_DATABASE_URL": database_env(url, schema), "MOTCUA_DATA_DIR": str(tmp_path)}
    secret = "bi-mat-cua-may-danh-gia-quay-hai"
    code = ask_code(api, secret, kind="rating")
    assert run_cli("pair", code, "--name", "rating-2", "--counter", "2", **env).returncode == 0
    listed = run_cli("fleet", **env)
    assert listed.returncode == 1  # paired, never heard from yet
    assert "never_seen  rating   rating-2" in listed.stdout
    assert beat(api, secret, version="1.0", printer="offline", detail="Máy in không phản hồi") == 1
    listed = run_cli("fleet", **env)
    assert listed.returncode == 1 and "unhealthy   rating   rating-2" in listed.stdout
    beat(api, secret, version="1.0")
    assert run_cli("fleet", **env).returncode == 0



def test_technicians_use_the_fleet_page_and_nothing_else_of_admin(api: Api, clock: Any) -> None:
    assert api.client.get("/admin/devices").location.endswith("/admin/login")
    csrf = signed_in(api, "technician")
    assert api.client.get("/admin").status_code == 403
    secret = "bi-mat-cua-may-danh-gia-quay-nam"
    code = ask_code(api, secret, kind="rating")
    assert api.client.post(
        "/admin/devices/pair", data={"code": code, "name": "danh-gia-5", "counter": "5"}
    ).status_code == 400  # no CSRF token
    # Binding it to a counter is for an admin; unbound, the technician pairs it.
    bound = api.client.post(
        "/admin/devices/pair",
        data={"code": code, "name": "danh-gia-5", "counter": "5", "csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Chỉ quản trị viên mới được gắn" in bound.get_data(as_text=True)
    paired = api.client.post(
        "/admin/devices/pair",
        data={"code": f"{code[:3]} {code[3:]}", "name": "danh-gia-5", "csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Đã ghép nối «danh-gia-5»" in paired.get_data(as_text=True)
    device = fleet_by_name(api)["danh-gia-5"]
    assert device["config"] == {}
    beat(api, secret, role="rating", serial="offline", detail="Không thấy bàn phím đánh giá")
    page = api.client.get("/admin/devices").get_data(as_text=True)
    assert "1 thiết bị cần kiểm tra" in page and "Có sự cố" in page
    assert "Cổng nối tiếp: mất kết nối" in page and "Không thấy bàn phím đánh giá" in page

    bad = api.client.post(
        f"/admin/devices/{device['id']}/config",
        data={"led_routes": "3=/dev/ttyUSB0", "csrf_token": csrf}, follow_redirects=True,
    )
    assert "Giá trị không hợp lệ: Bảng LED" in bad.get_data(as_text=True)
    saved = api.client.post(
        f"/admin/devices/{device['id']}/config",
        data={"serial_port": "/dev/motcua/rating", "serial_baudrate": "19200",
              "serial_parity": "E", "languages": "vi,en", "led_routes": "4=/dev/ttyUSB1:4\n",
              "paper": "", "announcement_variant": "south", "csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Đã lưu cấu hình (phiên bản 2)" in saved.get_data(as_text=True)
    mine = api.client.get("/api/v1/devices/me", headers=bearer(secret)).json
    assert mine["config"] == {
        "serial": {"port": "/dev/motcua/rating", "baudrate": 19200, "parity": "E"},
        "languages": "vi,en", "led_routes": ["4=/dev/ttyUSB1:4"], "announcement_variant": "south",
    }
    assert "/dev/motcua/rating" in api.client.get(
        f"/admin/devices/{device['id']}"
    ).get_data(as_text=True)
    revoked = api.client.post(
        f"/admin/devices/{device['id']}/revoke", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "Đã thu hồi thiết bị" in revoked.get_data(as_text=True)
    assert api.client.get("/api/v1/devices/me", headers=bearer(secret)).status_code == 401
    assert "Chưa có thiết bị nào" in api.client.get("/admin/devices/live").get_data(as_text=True)


def test_a_device_clock_more_than_30_s_off_is_flagged_on_the_fleet(api: Api, clock: Any) -> None:
    secret = "bi-mat-cua-ki-ot-co-dong-ho-chay-nhanh"
    pair(api, secret, "kiosk-dong-ho")
    signed_in(api, "technician")
    ahead = clock() + timedelta(seconds=45)
    beat(api, secret, printer="ok", role="kiosk-ticket", clock=ahead.isoformat())
    device = fleet_by_name(api)["kiosk-dong-ho"]
    assert (device["status"], device["problems"], device["clock_skew_s"]) == (
        "unhealthy", ["clock"], 45.0
    )
    page = api.client.get("/admin/devices").get_data(as_text=True)
    assert "1 thiết bị cần kiểm tra" in page
    assert "Đồng hồ lệch 45 giây (nhanh)" in page and "Clock 45 s ahead" in page
    # Set right (within 30 s, network delay included): no longer a problem.
    beat(api, secret, printer="ok", clock=(clock() - timedelta(seconds=3)).isoformat())
    device = fleet_by_name(api)["kiosk-dong-ho"]
    assert (device["status"], device["problems"], device["clock_skew_s"]) == ("ok", [], -3.0)
    # A clock without a zone says nothing about UTC: refused.
    naive = api.client.post(
        "/api/v1/devices/me/heartbeat",
        json={"clock": "2026-11-25T02:00:00"},
        headers=bearer(secret),
    )
    assert naive.status_code == 400
