"""The fleet's pairing, heartbeat and page forms under odd or hostile input: every
answer is a refusal in words, never a server error."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fleet_steps import ask_code, bearer, beat, fleet_by_name, pair, signed_in
from server_fixtures import Api

#: Characters ``str.isdigit`` calls digits that ``int`` cannot read.
NOT_DECIMAL = ["²", "①", "³5"]


@pytest.mark.parametrize("counter", NOT_DECIMAL)
def test_the_pairing_form_refuses_a_counter_that_is_no_number(
    api: Api, clock: Any, counter: str
) -> None:
    csrf = signed_in(api, "admin")
    code = ask_code(api, "bi-mat-cua-may-danh-gia-so-la", kind="rating")
    answer = api.client.post(
        "/admin/devices/pair",
        data={"code": code, "name": "danh-gia-so-la", "counter": counter, "csrf_token": csrf},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Số quầy không hợp lệ" in page and "Not a valid counter number" in page
    assert "danh-gia-so-la" not in fleet_by_name(api)  # nothing paired on a guess
    odd_code = api.client.post(
        "/admin/devices/pair",
        data={"code": "²²²²²²", "name": "danh-gia-so-la", "csrf_token": csrf},
        follow_redirects=True,
    )
    assert odd_code.status_code == 200
    assert "Không có thiết bị nào đang chờ với mã này" in odd_code.get_data(as_text=True)


@pytest.mark.parametrize(
    "field", ["paper", "camera", "board_columns", "counter", "serial_baudrate"]
)
def test_the_config_form_refuses_numbers_int_cannot_read(
    api: Api, clock: Any, field: str
) -> None:
    device = pair(api, "bi-mat-cua-ki-ot-cau-hinh-la", "kiosk-cau-hinh-la")
    csrf = signed_in(api, "admin")
    data = {field: "²", "csrf_token": csrf}
    if field == "serial_baudrate":
        data["serial_port"] = "/dev/motcua/led"
    answer = api.client.post(
        f"/admin/devices/{device['id']}/config", data=data, follow_redirects=True
    )
    assert answer.status_code == 200
    assert "Giá trị không hợp lệ" in answer.get_data(as_text=True)
    assert fleet_by_name(api)["kiosk-cau-hinh-la"]["config_revision"] == 1  # nothing saved


def test_odd_heartbeats_are_refused_or_shown_never_a_server_error(api: Api, clock: Any) -> None:
    secret = "bi-mat-cua-ki-ot-nhip-tim-la"
    pair(api, secret, "kiosk-nhip-tim-la")
    signed_in(api, "technician")
    heartbeat = "/api/v1/devices/me/heartbeat"
    for body in (
        [], "ok", 5, {"printer": 5}, {"printer": None}, {"printer": ["offline"]},
        {"clock_skew_s": 99}, {"uptime_s": -1}, {"uptime_s": 1.5}, {"clock": "bây giờ"},
        {"clock": float("nan")}, {"clock": 1e300}, {"role": "x" * 41},
    ):
        refused = api.client.post(heartbeat, json=body, headers=bearer(secret))
        assert refused.status_code == 400, (body, refused.status_code, refused.json)
        assert refused.json["error"]["message_vi"]
    # Legal but far out: clocks at the calendar's ends, a huge uptime, unknown states.
    for health in (
        {"clock": "0001-01-01T00:00:00+23:59", "printer": "chay-roi"},
        {"clock": "9999-12-31T23:59:59-23:59", "uptime_s": 10**300, "audio": "😶"},
        {"uptime_s": 10**18, "scanner": "<b>offline</b>"},
    ):
        beat(api, secret, **health)
        assert fleet_by_name(api)["kiosk-nhip-tim-la"]["status"] == "unhealthy"
        for page in ("/admin/devices", "/admin/devices/live"):
            assert api.client.get(page).status_code == 200, (health, page)
    beat(api, secret)  # an empty report: every part unknown, nothing failing
    assert fleet_by_name(api)["kiosk-nhip-tim-la"]["status"] == "ok"


def test_an_unknown_code_and_a_secret_asked_twice_are_refused_in_words(api: Api) -> None:
    """A used or expired code is refused in ``test_device_fleet.py``; these are the rest."""
    code = ask_code(api, "bi-mat-cua-ki-ot-ma-cu")
    unknown = api.call(
        "POST", "/devices/pair", "technician",
        json={"code": "000000" if code != "000000" else "000001", "name": "kiosk-3"},
    )
    assert unknown.status_code == 404 and unknown.json["error"]["message_vi"]
    digest = hashlib.sha256(b"bi-mat-cua-ki-ot-ma-cu").hexdigest()
    twice = api.client.post("/api/v1/pairing", json={"kind": "kiosk", "token_hash": digest})
    assert twice.status_code == 409 and twice.json["error"]["message_vi"]


def test_a_hand_made_token_whose_long_name_is_taken_joins_under_a_name_that_fits(
    api: Api,
) -> None:
    """The name a device takes when its token's name is taken ends in the token's id;
    cut to the 120 characters a device name holds, or PostgreSQL refused the row."""
    long_name = "kiosk-" + "x" * 114
    pair(api, "bi-mat-cua-ki-ot-ten-rat-dai", long_name)
    api.add_device(long_name, "kiosk")
    joined = api.call("GET", "/devices/me", long_name)
    assert joined.status_code == 200, joined.json
    name = joined.json["name"]
    assert len(name) <= 120 and name != long_name
    assert name.startswith("kiosk-xxx") and name.rsplit("-", 1)[1].isdecimal()
    assert fleet_by_name(api).keys() == {long_name, name}
