"""Steps the fleet tests share: a device asks a pairing code, is paired, beats; the
fleet as a technician sees it; an admin page session."""

from __future__ import annotations

import hashlib
from typing import Any

from server_fixtures import PASSWORD, Api
from test_web_admin import csrf_of


def ask_code(api: Api, token: str, kind: str = "kiosk") -> str:
    response = api.client.post(
        "/api/v1/pairing",
        json={"kind": kind, "hardware": "Mini PC N100 #7",
              "token_hash": hashlib.sha256(token.encode()).hexdigest()},
    )
    assert response.status_code == 201, response.json
    return str(response.json["code"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pair(api: Api, secret: str, name: str, kind: str = "kiosk", **extra: Any) -> dict[str, Any]:
    code = ask_code(api, secret, kind)
    paired = api.call(
        "POST", "/devices/pair", "technician", json={"code": code, "name": name, **extra}
    )
    assert paired.status_code == 201, paired.json
    return dict(paired.json)


def beat(api: Api, token: str, **health: Any) -> int:
    response = api.client.post("/api/v1/devices/me/heartbeat", json=health, headers=bearer(token))
    assert response.status_code == 200, response.json
    return int(response.json["revision"])


def fleet_by_name(api: Api, who: str = "technician") -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in api.call("GET", "/devices", who).json["devices"]}


def signed_in(api: Api, who: str) -> str:
    """Sign ``who`` in to the admin session; the CSRF token of that session."""
    token = csrf_of(api, "/admin/login")
    signed = api.client.post(
        "/admin/login", data={"username": who, "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 302, signed.get_data(as_text=True)
    return csrf_of(api, "/admin/devices")
