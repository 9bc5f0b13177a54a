"""Staff powers stay where they belong: nobody takes an occupied counter, a
disabled account or a changed password ends every token and page session, and a
technician cannot give themselves counter or rating powers."""

from __future__ import annotations

from typing import Any

from server_fixtures import PASSWORD, Api


def _counter(api: Api, number: int) -> dict[str, Any]:
    """The counter as staff see it: who holds it is private (``public_views.COUNTER``)."""
    counters = api.call("GET", "/counters", "supervisor").json["counters"]
    return next(c for c in counters if c["number"] == number)


def _user_id(api: Api, username: str) -> int:
    users = api.call("GET", "/users", "admin").json["users"]
    return int(next(u["id"] for u in users if u["username"] == username))


def test_an_occupied_counter_is_not_taken_over(api: Api) -> None:
    ticket = api.issue()
    assert api.desk(3, "sign-in", "officer").status_code == 200
    assert api.desk(3, "call-next", "officer").json["number"] == ticket["number"]
    held_by = _counter(api, 3)["officer_id"]

    taken = api.desk(3, "sign-in", "officer2")
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "counter_occupied"
    assert "Quầy 3 đang có cán bộ khác" in taken.json["error"]["message_vi"]
    assert "supervisor" in taken.json["error"]["message"]
    # An admin is refused too: the officer's visitor is not finished in another name.
    assert api.desk(3, "sign-in", "admin").status_code == 409
    assert _counter(api, 3)["officer_id"] == held_by
    assert api.desk(3, "finish", "officer2").status_code == 403
    assert api.desk(3, "finish", "officer").json["state"] == "done"

    refused = api.call("GET", "/audit?kind=security.counter_takeover_refused", "admin").json
    assert [(e["actor"], e["counter_id"]) for e in refused["entries"]] == [
        ("user:admin", api.counters[3]), ("user:officer2", api.counters[3])
    ]
    assert refused["entries"][0]["detail"]["officer_id"] == held_by


def test_the_counter_is_free_once_its_officer_signs_out_or_is_moved(api: Api) -> None:
    assert api.desk(3, "sign-in", "officer").status_code == 200
    # Only the officer there (or an admin) signs out of it.
    assert api.desk(3, "sign-out", "officer2").status_code == 403
    left = api.desk(3, "sign-out", "officer")
    assert left.status_code == 200 and left.json["officer_id"] is None
    assert api.desk(3, "sign-in", "officer2").status_code == 200

    # A supervisor moves officer2 off counter 3; officers and devices may not.
    assert api.desk(3, "release", "officer").status_code == 403
    assert api.desk(3, "release", "keypad3").status_code == 403
    moved = api.desk(3, "release", "supervisor")
    assert moved.status_code == 200 and moved.json["officer_id"] is None
    assert api.desk(3, "sign-in", "officer").status_code == 200

    log = api.call("GET", "/audit?kind=counter.signed_out", "admin").json["entries"]
    assert [(e["actor"], e["detail"]["reason"]) for e in log] == [
        ("user:supervisor", "moved"), ("user:officer", "officer")
    ]


def test_an_officer_who_signed_out_of_the_app_holds_no_counter(api: Api) -> None:
    assert api.desk(3, "sign-in", "officer").status_code == 200
    assert api.call("DELETE", "/auth/token", "officer").status_code == 204
    assert api.desk(3, "sign-in", "officer2").status_code == 200


def _page_session(api: Api, who: str = "admin") -> tuple[str, str]:
    """Sign ``who`` in to the admin pages; (the session cookie, the page's CSRF token)."""
    from test_web_admin import csrf_of

    token = csrf_of(api, "/admin/login")
    signed = api.client.post(
        "/admin/login", data={"username": who, "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 302
    cookie = api.client.get_cookie("session")
    assert cookie is not None
    return cookie.value, csrf_of(api, "/admin" if who == "admin" else "/admin/devices")


def _with_cookie(api: Api, cookie: str, path: str) -> Any:
    """``path`` as a browser holding an old copy of the session cookie would ask."""
    api.client.set_cookie("session", cookie)
    return api.client.get(path)


def test_a_page_session_dies_on_sign_out(api: Api) -> None:
    cookie, csrf = _page_session(api)
    assert api.client.post("/admin/logout", data={"csrf_token": csrf}).status_code == 302
    # A copy of the cookie taken before the sign-out no longer opens the pages.
    replayed = _with_cookie(api, cookie, "/admin")
    assert replayed.status_code == 302 and replayed.location.endswith("/admin/login")


def test_disabling_an_account_ends_its_tokens_and_sessions_in_one_step(api: Api) -> None:
    technician = _user_id(api, "technician")
    cookie, _ = _page_session(api, "technician")
    second = api.call(
        "POST", "/auth/token", json={"username": "technician", "password": PASSWORD}
    ).json["token"]
    assert api.call("GET", "/devices", "technician").status_code == 200

    assert api.call("POST", f"/users/{technician}/disable", "technician").status_code == 403
    disabled = api.call("POST", f"/users/{technician}/disable", "admin")
    assert disabled.status_code == 200
    assert disabled.json == {"id": technician, "active": False, "tokens_revoked": 3}
    assert api.call("GET", "/devices", "technician").status_code == 401
    assert api.client.get(
        "/api/v1/devices", headers={"Authorization": f"Bearer {second}"}
    ).status_code == 401
    assert _with_cookie(api, cookie, "/admin/devices").location.endswith("/admin/login")
    listed = {u["username"]: u for u in api.call("GET", "/users", "admin").json["users"]}
    assert listed["technician"]["active"] is False
    # Enabled again, the account signs in afresh; the old tokens stay dead.
    assert api.call("POST", f"/users/{technician}/enable", "admin").status_code == 200
    assert api.call("GET", "/devices", "technician").status_code == 401
    again = api.call(
        "POST", "/auth/token", json={"username": "technician", "password": PASSWORD}
    )
    assert again.status_code == 201
    # An admin cannot lock themselves out.
    own = api.call("POST", f"/users/{_user_id(api, 'admin')}/disable", "admin")
    assert own.status_code == 409
    assert own.json["error"]["message_vi"] == "Không thể tự khóa tài khoản của mình."

    log = api.call("GET", "/audit?kind=accounts.", "admin").json["entries"]
    assert ("user:admin", {"user_disabled": "technician", "tokens_revoked": 3}) in [
        (e["actor"], e["detail"]) for e in log
    ]


def test_a_password_change_ends_the_old_tokens_and_sessions(api: Api) -> None:
    officer = _user_id(api, "officer")
    changed = api.call(
        "PUT", f"/users/{officer}/password", "admin", json={"password": "mat-khau-moi-hon-2027"}
    )
    assert changed.status_code == 200 and changed.json["tokens_revoked"] == 1
    assert api.call("GET", "/queue", "officer").status_code == 401
    assert api.call(
        "POST", "/auth/token", json={"username": "officer", "password": PASSWORD}
    ).status_code == 401
    assert api.call(
        "POST", "/auth/token", json={"username": "officer", "password": "mat-khau-moi-hon-2027"}
    ).status_code == 201

    # On the admin page too: the admin's own password change signs their page out.
    cookie, csrf = _page_session(api)
    page = api.client.post(
        f"/admin/users/{_user_id(api, 'admin')}/password",
        data={"password": "mat-khau-quan-tri-moi", "csrf_token": csrf}, follow_redirects=True,
    )
    assert "Đăng nhập" in page.get_data(as_text=True)
    assert _with_cookie(api, cookie, "/admin").location.endswith("/admin/login")
    assert api.call("GET", "/users", "admin").status_code == 401


def test_the_admin_page_disables_an_account(api: Api) -> None:
    _, csrf = _page_session(api)
    officer = _user_id(api, "officer")
    asked = api.client.post(f"/admin/users/{officer}/disable", data={"csrf_token": csrf})
    assert 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    assert api.call("GET", "/queue", "officer").status_code == 200  # not before it is confirmed
    page = api.client.post(
        f"/admin/users/{officer}/disable", data={"csrf_token": csrf, "confirm": "yes"},
        follow_redirects=True,
    )
    assert "Đã khóa tài khoản; 1 phiên đăng nhập bị thu hồi" in page.get_data(as_text=True)
    assert api.call("GET", "/queue", "officer").status_code == 401


def test_session_cookie_is_secure_when_the_proxy_says_tls(api: Api) -> None:
    from test_web_admin import csrf_of

    def cookie_header(**environ: Any) -> str:
        api.client.delete_cookie("session")
        token = csrf_of(api, "/admin/login")
        signed = api.client.post(
            "/admin/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token},
            **environ,
        )
        assert signed.status_code == 302
        return str(signed.headers["Set-Cookie"])

    behind_tls = cookie_header(
        headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert "; Secure" in behind_tls and "HttpOnly" in behind_tls
    # A LAN client cannot claim TLS it did not use; plain HTTP stays plain.
    spoofed = cookie_header(
        headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "192.168.1.50"}
    )
    assert "Secure" not in spoofed
    assert "Secure" not in cookie_header()
    assert "; Secure" in cookie_header(base_url="https://localhost")


def _ask_code(api: Api, secret: str, kind: str) -> str:
    import hashlib

    asked = api.client.post(
        "/api/v1/pairing",
        json={"kind": kind, "token_hash": hashlib.sha256(secret.encode()).hexdigest()},
    )
    assert asked.status_code == 201
    return str(asked.json["code"])


def test_a_technician_cannot_give_themselves_counter_or_rating_powers(api: Api) -> None:
    keypad = _ask_code(api, "ban-phim-quay-3-cua-ky-thuat-vien", "counter")
    refused = api.call(
        "POST", "/devices/pair", "technician",
        json={"code": keypad, "name": "keypad-3b", "counter": 3},
    )
    assert refused.status_code == 403
    assert refused.json["error"]["message_vi"].startswith("Chỉ quản trị viên")
    rating = _ask_code(api, "may-danh-gia-cua-ky-thuat-vien", "rating")
    assert api.call(
        "POST", "/devices/pair", "technician",
        json={"code": rating, "name": "rating-3b", "counter": 3},
    ).status_code == 403
    # Unbound, a rating terminal rates nothing: the technician may pair it, not bind it.
    unbound = api.call(
        "POST", "/devices/pair", "technician", json={"code": rating, "name": "rating-3b"}
    )
    assert unbound.status_code == 201
    bind = api.call(
        "PUT", f"/devices/{unbound.json['id']}/config", "technician", json={"counter": 3}
    )
    assert bind.status_code == 403
    # An admin pairs the keypad and binds the terminal.
    assert api.call(
        "POST", "/devices/pair", "admin", json={"code": keypad, "name": "keypad-3b", "counter": 3}
    ).status_code == 201
    assert api.call(
        "PUT", f"/devices/{unbound.json['id']}/config", "admin", json={"counter": 3}
    ).status_code == 200
    # Bound by the admin, the technician still sets its other settings.
    assert api.call(
        "PUT", f"/devices/{unbound.json['id']}/config", "technician",
        json={"counter": 3, "languages": "vi,en"},
    ).status_code == 200

    log = api.call("GET", "/audit?kind=security.device_binding_refused", "admin").json
    assert [(e["actor"], e["detail"]) for e in log["entries"]] == [
        ("user:technician", {"device": "rating-3b", "kind": "rating", "counter": 3}),
        ("user:technician", {"device": "rating-3b", "kind": "rating", "counter": 3}),
        ("user:technician", {"device": "keypad-3b", "kind": "counter", "counter": 3}),
    ]
