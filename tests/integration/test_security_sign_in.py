"""Brute force against sign-in: the account locks, the attempts are audited, the
lock lifts on its own; headers, password policy, token rotation, other sites."""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from server_fixtures import PASSWORD, Api

from queue_server.security import redact
from queue_server.services.password_policy import WeakPassword, check_password
from queue_server.services.sign_in_guard import LockoutPolicy
from queue_server.services.site_config import parse_site_file

POLICY = LockoutPolicy()


def _sign_in(api: Api, password: str, user: str = "officer", address: str = "10.0.0.7") -> Any:
    return api.client.post(
        "/api/v1/auth/token",
        json={"username": user, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_repeated_bad_passwords_lock_the_account_and_are_audited(api: Api, clock: Any) -> None:
    for _ in range(POLICY.account_failures):
        assert _sign_in(api, "doan-mo-mat-khau").status_code == 401
    locked = _sign_in(api, PASSWORD)
    assert locked.status_code == 429
    assert locked.json["error"]["code"] == "locked"
    assert "tạm khóa" in locked.json["error"]["message_vi"]
    # Another account from another address is not affected.
    assert _sign_in(api, PASSWORD, user="supervisor", address="10.0.0.8").status_code == 201

    log = api.call("GET", "/audit?kind=auth.", "admin").json["entries"]
    mine = [e for e in log if e["actor"] == "user:officer"]
    assert [e["kind"] for e in mine] == ["auth.locked"] + ["auth.failed"] * 5
    assert {e["address"] for e in mine} == {"10.0.0.7"}

    clock.advance(minutes=16)
    assert _sign_in(api, PASSWORD).status_code == 201
    # A success clears the account's count: one more failure does not lock again.
    assert _sign_in(api, "sai-lan-nua-roi").status_code == 401
    assert _sign_in(api, PASSWORD).status_code == 201


def test_password_spraying_from_one_address_is_locked(api: Api) -> None:
    users = ["admin", "technician", "supervisor", "officer", "officer2"]
    for n in range(POLICY.address_failures):
        refused = _sign_in(api, f"thu-so-{n}", user=users[n % 5], address="10.9.9.9")
        assert refused.status_code == 401
    assert _sign_in(api, PASSWORD, user="admin", address="10.9.9.9").status_code == 429
    assert _sign_in(api, PASSWORD, user="admin", address="10.0.0.1").status_code == 201


def test_forwarded_address_is_trusted_only_from_the_local_proxy(api: Api) -> None:
    for _ in range(POLICY.account_failures):
        response = api.client.post(
            "/api/v1/auth/token",
            json={"username": "officer", "password": "khong-dung-dau"},
            headers={"X-Forwarded-For": "203.0.113.5"},
            environ_base={"REMOTE_ADDR": "192.168.1.50"},
        )
        assert response.status_code == 401
    entries = api.call("GET", "/audit?kind=auth.failed", "admin").json["entries"]
    assert {e["address"] for e in entries} == {"192.168.1.50"}
    via_proxy = api.client.post(
        "/api/v1/auth/token",
        json={"username": "admin", "password": "khong-dung-dau"},
        headers={"X-Forwarded-For": "203.0.113.5, 198.51.100.2"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert via_proxy.status_code == 401
    newest = api.call("GET", "/audit?kind=auth.failed&limit=1", "admin").json["entries"]
    assert newest[0]["address"] == "198.51.100.2"


def test_audit_log_is_for_admins_and_exports_csv(api: Api) -> None:
    ticket = api.issue("ho-tich")
    assert api.desk(3, "sign-in", "officer").status_code in (200, 204)
    assert api.desk(3, "call-next", "officer").status_code == 200
    assert api.call("GET", "/audit", "supervisor").status_code == 403
    assert api.call("GET", "/audit", "kiosk").status_code == 403
    exported = api.call("GET", "/audit.csv?actor=officer", "admin")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    kinds = {row["kind"] for row in rows}
    assert {"counter.signed_in", "ticket.called"} <= kinds
    called = next(row for row in rows if row["kind"] == "ticket.called")
    assert called["actor"] == "user:officer" and int(called["ticket_id"]) == ticket["id"]


def test_admin_changes_and_token_rotation_are_audited(api: Api) -> None:
    created = api.call(
        "POST", "/tokens", "admin", json={"kind": "kiosk", "name": "kiosk-sanh-2"}
    ).json
    listed = api.call("GET", "/tokens", "admin").json["tokens"]
    token_id = next(t["id"] for t in listed if t["name"] == "kiosk-sanh-2")
    rotated = api.call("POST", f"/tokens/{token_id}/rotate", "admin")
    assert rotated.status_code == 201 and rotated.json["name"] == "kiosk-sanh-2"
    old = {"Authorization": f"Bearer {created['token']}"}
    new = {"Authorization": f"Bearer {rotated.json['token']}"}
    assert api.client.get("/api/v1/queue", headers=old).status_code == 401
    assert api.client.post(
        "/api/v1/tickets", json={"service": "ho-tich"}, headers=new
    ).status_code == 201

    own = api.call("POST", "/auth/token/rotate", "board")
    assert own.status_code == 201
    assert api.call("GET", "/queue", "board").status_code == 401
    assert api.client.get(
        "/api/v1/queue", headers={"Authorization": f"Bearer {own.json['token']}"}
    ).status_code == 200

    log = api.call("GET", "/audit?kind=accounts.", "admin").json["entries"]
    details = [(e["actor"], e["detail"]) for e in log]
    assert ("device:board-1", {"token_rotated": "board-1", "kind": "board"}) in details
    assert ("user:admin", {"token_rotated": "kiosk-sanh-2", "kind": "kiosk"}) in details
    assert ("user:admin", {"token_added": "kiosk-sanh-2", "kind": "kiosk"}) in details


def test_a_device_token_of_one_site_cannot_touch_another(api: Api, tmp_path: Path) -> None:
    from queue_server.queueing.hours import OpeningHours
    from queue_server.services.auth import issue_token
    from queue_server.services.site_config import apply_site_file

    example = Path(__file__).resolve().parents[2] / "queue_server" / "site_example.toml"
    text = example.read_text().replace('code = "default"', 'code = "chi-nhanh"', 1)
    assert 'code = "chi-nhanh"' in text
    other_file = tmp_path / "chi-nhanh.toml"
    other_file.write_text(text)
    runtime = api.runtime
    other_site = parse_site_file(other_file)
    # Open around the clock like the demo centre: the test is about sites, not hours.
    other_site.services = [
        s.model_copy(update={"hours": OpeningHours.ALWAYS_SPEC}) for s in other_site.services
    ]
    with runtime.uow() as uow:
        apply_site_file(uow, other_site, "test", runtime.clock())
        other = uow.repo.site("chi-nhanh")
        assert other is not None and other.id is not None
        other_counter = uow.repo.counters(other.id)[0].id
        foreign = issue_token(
            uow, site_id=other.id, kind="kiosk", name="kiosk-cn", now=runtime.clock()
        )
        uow.commit()
    headers = {"Authorization": f"Bearer {foreign}"}
    default_ticket = api.issue("ho-tich")
    # Naming the other site is refused; its own tickets land in its own site only.
    refused = api.client.post(
        "/api/v1/tickets?site=default", json={"service": "ho-tich"}, headers=headers
    )
    assert refused.status_code == 403
    peek = api.client.get(f"/api/v1/tickets/{default_ticket['id']}", headers=headers)
    assert peek.status_code == 404
    own = api.client.post("/api/v1/tickets", json={"service": "ho-tich"}, headers=headers)
    # Its own site numbers apart: the first ho-tich ticket there, the same number as here.
    assert own.status_code == 201 and own.json["number"] == default_ticket["number"]
    assert api.issue("ho-tich")["number"] != default_ticket["number"]
    # The default site's admin cannot act on the other site's counter.
    assert api.call("POST", f"/counters/{other_counter}/call-next", "admin").status_code == 404


@pytest.mark.parametrize(
    ("password", "username"),
    [("ngan-qua", "lan"), ("matkhau123", "lan"), ("aaaaaaaaaaaa", "lan"),
     ("nguyenvanlan-2026", "lan")],
)
def test_weak_passwords_are_refused(password: str, username: str) -> None:
    with pytest.raises(WeakPassword):
        check_password(password, username)


def test_admin_api_refuses_a_weak_password(api: Api) -> None:
    response = api.call(
        "POST", "/users", "admin",
        json={"username": "can-bo-9", "password": "matkhau123", "role": "officer"},
    )
    assert response.status_code == 422
    assert response.json["error"]["message_vi"] == "Mật khẩu này quá dễ đoán."


def test_every_answer_carries_security_headers(api: Api) -> None:
    for path in ("/api/v1/health", "/api/v1/queue", "/admin/login"):
        headers = api.client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert api.client.get("/api/v1/health").headers["Cache-Control"] == "no-store"


def test_a_device_gets_no_cookie_and_a_header_a_view_set_is_kept(api: Api) -> None:
    """Kiosks call with a token: no session cookie is made or sent to them."""
    issued = api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich"})
    assert issued.status_code == 201
    assert "Set-Cookie" not in issued.headers
    assert issued.headers.getlist("X-Frame-Options") == ["DENY"]
    assert issued.headers["Cache-Control"] == "no-store"
    audio = api.call("GET", "/announcements/call/A001/3.wav")  # boards may keep it
    assert audio.status_code == 200
    assert audio.headers.getlist("Cache-Control") == ["public, max-age=600"]


def test_logs_never_carry_tokens_passwords_or_id_numbers(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    assert redact("Authorization: Bearer abc.DEF-123") == "Authorization: Bearer [redacted]"
    assert redact('{"password": "mat-khau-an-toan"}') == '{"password": "[redacted]"}'
    assert redact("GET /track/Zx9_k2") == "GET /track/[redacted]"
    assert redact("CCCD 001203004567, tra cứu") == "CCCD [id-number], tra cứu"
    with caplog.at_level(logging.INFO):
        logging.getLogger("queue_server.test").info("looked up 079185001234 with Bearer s3cret")
    assert "079185001234" not in caplog.text and "s3cret" not in caplog.text


def test_an_idle_admin_session_ends(api: Api, clock: Any) -> None:
    page = api.client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    signed_in = api.client.post(
        "/admin/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert signed_in.status_code == 302
    assert api.client.get("/admin").status_code == 200
    clock.advance(minutes=29)
    assert api.client.get("/admin").status_code == 200  # activity keeps it alive
    clock.advance(minutes=31)
    expired = api.client.get("/admin")
    assert expired.status_code == 302 and expired.location.endswith("/admin/login")
