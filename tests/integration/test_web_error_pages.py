"""What a person meets off the happy path: a missing page, a page their account may not
open, a locked sign-in, an expired form: pages in Vietnamese with the English words for
the toggle and links onwards. The API's paths keep the JSON error shape, whatever the
caller's Accept header says."""

from __future__ import annotations

import json
import re

from server_fixtures import PASSWORD, Api
from test_web_admin import csrf_of

WORDS = re.compile(r'<script type="application/json" id="page-words">(.*?)</script>', re.S)


def _page(answer: object) -> tuple[str, dict[str, list[str]]]:
    text = answer.get_data(as_text=True)  # type: ignore[attr-defined]
    assert answer.mimetype == "text/html", text[:200]  # type: ignore[attr-defined]
    found = WORDS.search(text)
    assert found, text[:400]
    return text, json.loads(found.group(1))


def _links(text: str) -> list[str]:
    return re.findall(r'<nav class="ways">(.*?)</nav>', text, re.S)[0].split("</a>")


def test_a_missing_page_is_a_vietnamese_page_with_ways_on(api: Api) -> None:
    missing = api.client.get("/khong-co-trang-nay", headers={"Accept": "application/json"})
    assert missing.status_code == 404
    text, words = _page(missing)
    assert "Không tìm thấy trang" in text and '<html lang="vi">' in text
    assert words["title"] == ["Không tìm thấy trang", "Page not found"]
    assert "Werkzeug" not in text and "requested URL" not in text
    assert 'href="/"' in text and words["link0"] == ["Trang chủ", "Home"]
    under_admin = api.client.get("/admin/khong-co")
    assert under_admin.status_code == 404
    assert 'href="/admin"' in _links(_page(under_admin)[0])[0]


def test_api_paths_keep_the_json_error_shape(api: Api) -> None:
    for accept in ("text/html", "application/json", "*/*"):
        missing = api.client.get("/api/v1/khong-co", headers={"Accept": accept})
        assert missing.status_code == 404 and missing.mimetype == "application/json"
        assert missing.json["error"]["message_vi"] == "Không tìm thấy."
    wrong_method = api.client.delete("/api/v1/site")
    assert wrong_method.status_code == 405 and wrong_method.json["error"]["code"]


def test_a_technician_at_admin_is_pointed_to_the_fleet(api: Api) -> None:
    token = csrf_of(api, "/admin/login")
    api.client.post(
        "/admin/login", data={"username": "technician", "password": PASSWORD, "csrf_token": token}
    )
    refused = api.client.get("/admin")
    assert refused.status_code == 403
    text, words = _page(refused)
    assert words["title"] == ["Không có quyền truy cập", "Access denied"]
    assert "Tài khoản kỹ thuật viên dùng trang Thiết bị" in text
    first = _links(text)[0]
    assert 'href="/admin/devices"' in first and "Mở trang Thiết bị" in first
    assert words["link0"] == ["Mở trang Thiết bị", "Open the Devices page"]


def test_a_locked_sign_in_is_a_page_saying_when_and_who_can_help(api: Api) -> None:
    token = csrf_of(api, "/admin/login")
    for _ in range(5):
        wrong = api.client.post(
            "/admin/login", data={"username": "admin", "password": "sai-roi", "csrf_token": token}
        )
        assert wrong.status_code == 401
    locked = api.client.post(
        "/admin/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429 and locked.headers.get("Retry-After") is None
    text, words = _page(locked)
    assert words["title"] == ["Tạm khóa đăng nhập", "Sign-in locked"]
    assert "tạm khóa, hãy thử lại sau 15 phút" in words["explanation"][0]
    assert "try again in 15 minutes" in words["explanation"][1]
    assert "nhờ quản trị viên mở khóa" in text
    assert 'href="/admin/login"' in _links(text)[0]


def test_an_expired_form_is_a_page_not_an_english_error(api: Api) -> None:
    expired = api.client.post("/admin/login", data={"username": "admin", "password": PASSWORD})
    assert expired.status_code == 400
    text, words = _page(expired)
    assert words["title"] == ["Yêu cầu không hợp lệ", "Request not valid"]
    assert "CSRF" not in text


def test_the_landing_page_links_every_staff_page(api: Api) -> None:
    home = api.client.get("/")
    assert home.status_code == 200
    text, words = _page(home)
    for href in ("/board", "/counter", "/admin/devices", "/admin", "/reports"):
        assert f'href="{href}"' in text, href
    assert words["counter"] == ["Quầy giao dịch", "Counter console"]
    assert "Trung tâm Phục vụ hành chính công" in text  # the site's own name
