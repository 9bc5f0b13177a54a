"""Admin: the account and device-token API, and the admin pages' sign-in, CSRF
and edits."""

from __future__ import annotations

import re

from server_fixtures import PASSWORD, Api

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(api: Api, path: str) -> str:
    page = api.client.get(path)
    assert page.status_code == 200
    match = CSRF.search(page.get_data(as_text=True))
    assert match
    return match.group(1)


def admin_session(api: Api) -> str:
    token = csrf_of(api, "/admin/login")
    response = api.client.post(
        "/admin/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302 and response.location.endswith("/admin")
    return csrf_of(api, "/admin")


def test_admin_creates_a_user_who_can_then_sign_in(api: Api) -> None:
    created = api.call(
        "POST",
        "/users",
        "admin",
        json={
            "username": "can-bo-7",
            "password": "mat-khau-moi-1",
            "role": "officer",
            "full_name": "Nguyễn Văn An",
        },
    )
    listed = api.call("GET", "/users", "admin").json["users"]
    again = api.call(
        "POST",
        "/users",
        "admin",
        json={"username": "can-bo-7", "password": "khac-hoan-toan", "role": "admin"},
    )
    signed_in = api.call(
        "POST", "/auth/token", json={"username": "can-bo-7", "password": "mat-khau-moi-1"}
    )

    assert created.status_code == 201
    row = next(u for u in listed if u["username"] == "can-bo-7")
    assert row["role"] == "officer" and row["full_name"] == "Nguyễn Văn An"
    assert all("password" not in key for u in listed for key in u)
    assert again.status_code == 409 and again.json["error"]["message_vi"]
    assert signed_in.status_code == 201 and signed_in.json["role"] == "officer"


def test_only_admins_manage_accounts_and_tokens(api: Api) -> None:
    for who in ("officer", "supervisor", "kiosk", None):
        assert api.call("GET", "/users", who).status_code in (401, 403)
        assert api.call("GET", "/tokens", who).status_code in (401, 403)


def test_a_device_token_works_until_it_is_revoked_and_is_never_listed(api: Api) -> None:
    created = api.call("POST", "/tokens", "admin", json={"kind": "kiosk", "name": "kiosk-sanh-2"})
    token = created.json["token"]
    api.tokens["new-kiosk"] = token
    works = api.call("POST", "/tickets", "new-kiosk", json={"service": "ho-tich"})
    listed = api.call("GET", "/tokens", "admin").json["tokens"]
    entry = next(t for t in listed if t["name"] == "kiosk-sanh-2")
    revoked = api.call("POST", f"/tokens/{entry['id']}/revoke", "admin")
    refused = api.call("POST", "/tickets", "new-kiosk", json={"service": "ho-tich"})

    assert created.status_code == 201 and works.status_code == 201
    assert token not in str(listed) and entry["revoked"] is False
    assert revoked.status_code == 204
    assert refused.status_code == 401
    assert api.call("POST", f"/tokens/{entry['id']}/revoke", "admin").status_code == 404


def test_a_counter_device_token_needs_an_existing_counter(api: Api) -> None:
    missing = api.call("POST", "/tokens", "admin", json={"kind": "counter", "name": "keypad"})
    unknown = api.call(
        "POST", "/tokens", "admin", json={"kind": "counter", "name": "keypad", "counter": 42}
    )
    ok = api.call(
        "POST", "/tokens", "admin", json={"kind": "counter", "name": "keypad-5", "counter": 5}
    )

    assert missing.status_code == 409 and unknown.status_code == 404
    assert ok.status_code == 201
    listed = api.call("GET", "/tokens", "admin").json["tokens"]
    assert next(t for t in listed if t["name"] == "keypad-5")["counter"] == 5


def test_admin_pages_need_an_admin_sign_in(api: Api) -> None:
    assert api.client.get("/admin").location.endswith("/admin/login")
    token = csrf_of(api, "/admin/login")
    officer = api.client.post(
        "/admin/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token}
    )
    no_csrf = api.client.post("/admin/login", data={"username": "admin", "password": PASSWORD})

    assert officer.status_code == 401
    assert "Chỉ dành cho quản trị viên" in officer.get_data(as_text=True)
    assert no_csrf.status_code == 400


def test_the_session_cookie_is_httponly_and_samesite(api: Api) -> None:
    token = csrf_of(api, "/admin/login")
    response = api.client.post(
        "/admin/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_form_without_the_csrf_token_changes_nothing(api: Api) -> None:
    admin_session(api)
    before = api.call("GET", "/site").json["ticker_vi"]

    forged = api.client.post("/admin/site", data={"name_vi": "X", "ticker_vi": "giả mạo"})

    assert forged.status_code == 400
    assert api.call("GET", "/site").json["ticker_vi"] == before


def test_site_texts_saved_in_the_admin_page_reach_the_api(api: Api) -> None:
    token = admin_session(api)
    ticker = "Nghỉ trưa từ 11 giờ 30 đến 13 giờ 30."

    saved = api.client.post(
        "/admin/site",
        data={
            "csrf_token": token,
            "name_vi": "Trung tâm Phục vụ hành chính công xã Hòa Bình",
            "name_en": "",
            "hotline": "1900 1234",
            "ticker_vi": ticker,
            "ticker_en": "",
        },
    )
    site = api.call("GET", "/site").json

    assert saved.status_code == 302
    assert site["ticker_vi"] == ticker and site["hotline"] == "1900 1234"
    assert site["name_vi"] == "Trung tâm Phục vụ hành chính công xã Hòa Bình"


def test_the_voice_saved_in_the_admin_page_reaches_the_boards(api: Api) -> None:
    """The centre's reading, shown selected on the page and given to the boards
    (``GET /site``); a value outside the choices changes nothing."""
    token = admin_session(api)
    voice = {"announcement_mode": "number", "announcement_variant": "south"}

    saved = api.client.post("/admin/site/voice", data={"csrf_token": token, **voice})
    refused = api.client.post(
        "/admin/site/voice",
        data={"csrf_token": token, "announcement_mode": "shout", "announcement_variant": "north"},
        follow_redirects=True,
    )

    assert saved.status_code == 302
    assert "Dữ liệu không hợp lệ: announcement_mode" in refused.get_data(as_text=True)
    site = api.call("GET", "/site").json
    assert {key: site[key] for key in voice} == voice
    page = api.client.get("/admin").get_data(as_text=True)
    assert '<option value="south" selected>' in page


def test_a_service_can_be_closed_from_the_admin_page(api: Api) -> None:
    token = admin_session(api)

    api.client.post(
        "/admin/services/ho-tich",
        data={"csrf_token": token, "name_vi": "Hộ tịch", "name_en": "Civil status"},
    )
    refused = api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich"})

    assert refused.status_code == 409
    assert "không cấp số" in refused.json["error"]["message_vi"]


def test_account_changes_stay_off_the_public_stream(api: Api) -> None:
    api.call(
        "POST",
        "/users",
        "admin",
        json={"username": "an-danh", "password": "mat-khau-moi-1", "role": "officer"},
    )
    since = api.call("GET", "/queue").json["last_event_id"] - 1
    response = api.client.get(f"/api/v1/events?since={since}", buffered=False)
    chunks = iter(response.response)
    next(chunks)  # hello
    api.issue("ho-tich")
    first_event = next(chunks).decode()
    response.close()

    assert "ticket.issued" in first_event and "an-danh" not in first_event


def test_saving_a_service_in_the_admin_page_says_saved(api: Api) -> None:
    """Not the service's fields dumped as a dict (found by the type checker)."""
    token = admin_session(api)

    saved = api.client.post(
        "/admin/services/ho-tich",
        data={"csrf_token": token, "name_vi": "Hộ tịch", "name_en": "Civil status", "active": "on"},
    )
    page = api.client.get("/admin/services").get_data(as_text=True)

    assert saved.status_code == 302
    assert (
        '<p class="flash ok" role="status">Đã lưu dịch vụ ho-tich. / Service ho-tich saved.</p>'
        in page
    )
