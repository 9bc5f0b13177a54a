"""The admin sub-pages, form by form through the test client (SQLite and PostgreSQL):
accounts, services and counters, the audit log, the working calendar, the dossier
feeds and the site switcher. Every change is checked through the API or the
database, not only by the page's message."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from server_fixtures import PASSWORD, Api
from test_connector_import import mirrored, upstream_rows, xlsx
from test_web_admin import admin_session, csrf_of

from queue_server.services.auth import Role, create_user
from queue_server.services.site_config import SiteFile, SiteSection, apply_site_file

NEW_PASSWORD = "mua thu Ha Noi 2026"


def post(api: Api, path: str, token: str, **data: Any) -> Any:
    return api.client.post(path, data={"csrf_token": token, **data})


def page(api: Api, path: str) -> str:
    response = api.client.get(path)
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def user_id(api: Api, username: str) -> int:
    users = api.call("GET", "/users", "admin").json["users"]
    return int(next(u["id"] for u in users if u["username"] == username))


def sign_in(api: Api, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    return int(api.call("POST", "/auth/token", json=body).status_code)


# accounts ------------------------------------------------------------------------------


def test_an_account_is_created_with_full_name_and_role_and_the_hint_is_the_policy(
    api: Api,
) -> None:
    token = admin_session(api)
    weak = post(
        api, "/admin/users", token, username="lan", full_name="Trần Thị Lan", role="officer",
        password="12345678",
    )
    created = post(
        api, "/admin/users", token, username="lan", full_name="Trần Thị Lan", role="supervisor",
        password=NEW_PASSWORD,
    )
    listing = page(api, "/admin/users")

    assert weak.status_code == 302 and created.status_code == 302
    users = api.call("GET", "/users", "admin").json["users"]
    row = next(u for u in users if u["username"] == "lan")
    assert row["full_name"] == "Trần Thị Lan" and row["role"] == "supervisor"
    assert "Trần Thị Lan" in listing and "Giám sát" in listing
    assert "Ít nhất 10 ký tự" in listing and "At least 10 characters" in listing
    assert sign_in(api, "lan", NEW_PASSWORD) == 201


def test_a_weak_password_is_refused_in_words_and_creates_nothing(api: Api) -> None:
    token = admin_session(api)
    post(
        api, "/admin/users", token, username="hoa", full_name="Lê Hoa", role="officer",
        password="matkhau123",
    )
    shown = page(api, "/admin/users")

    assert "quá dễ đoán" in shown or "ít nhất 10 ký tự" in shown
    assert all(u["username"] != "hoa" for u in api.call("GET", "/users", "admin").json["users"])


def test_disabling_asks_first_then_ends_every_session(api: Api) -> None:
    token = admin_session(api)
    officer = user_id(api, "officer")
    path = f"/admin/users/{officer}/disable"

    asked = post(api, path, token, username="officer")
    still = api.call("GET", "/queue", "officer").status_code
    done = post(api, path, token, username="officer", confirm="yes")

    question = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Khóa tài khoản «officer»?" in question
    assert 'name="confirm" value="yes"' in question and f'action="{path}"' in question
    assert still == 200
    assert done.status_code == 302
    assert api.call("GET", "/queue", "officer").status_code == 401
    assert sign_in(api, "officer", PASSWORD) == 401
    assert "Đã khóa" in page(api, "/admin/users")

    post(api, f"/admin/users/{officer}/enable", token)
    assert sign_in(api, "officer", PASSWORD) == 201


def test_an_admin_cannot_disable_their_own_account_from_the_page(api: Api) -> None:
    token = admin_session(api)
    me = user_id(api, "admin")

    post(api, f"/admin/users/{me}/disable", token, username="admin", confirm="yes")

    assert "Không thể tự khóa" in page(api, "/admin/users")
    assert sign_in(api, "admin", PASSWORD) == 201


def test_revoking_all_tokens_asks_first_and_keeps_the_account(api: Api) -> None:
    token = admin_session(api)
    path = f"/admin/users/{user_id(api, 'supervisor')}/sign-out"

    asked = post(api, path, token, username="supervisor")
    kept = api.call("GET", "/users", "supervisor").status_code
    post(api, path, token, username="supervisor", confirm="yes")

    assert asked.status_code == 200 and kept in (200, 403)
    assert api.call("GET", "/queue", "supervisor").status_code == 401
    assert sign_in(api, "supervisor", PASSWORD) == 201


def test_a_reset_password_replaces_the_old_one_and_obeys_the_policy(api: Api) -> None:
    token = admin_session(api)
    path = f"/admin/users/{user_id(api, 'officer2')}/password"

    post(api, path, token, password="officer2-abc")
    refused = page(api, "/admin/users")
    unchanged = sign_in(api, "officer2", PASSWORD)
    post(api, path, token, password=NEW_PASSWORD)

    assert "không được chứa tên đăng nhập" in refused and unchanged == 201
    assert sign_in(api, "officer2", PASSWORD) == 401
    assert sign_in(api, "officer2", NEW_PASSWORD) == 201


def test_a_locked_account_is_shown_and_unlocked_by_the_admin(api: Api) -> None:
    token = admin_session(api)
    for _ in range(5):
        assert sign_in(api, "technician", "sai-mat-khau-roi") == 401
    locked = sign_in(api, "technician", PASSWORD)
    shown = page(api, "/admin/users")

    unlocked = post(api, f"/admin/users/{user_id(api, 'technician')}/unlock", token)

    assert locked == 429
    assert "Tạm khóa đăng nhập đến" in shown
    assert unlocked.status_code == 302
    assert sign_in(api, "technician", PASSWORD) == 201
    assert "Tạm khóa đăng nhập đến" not in page(api, "/admin/users")
    audit = page(api, "/admin/audit?kind=auth.")
    assert "auth.unlocked" in audit and "auth.locked" in audit


# services and counters -----------------------------------------------------------------


def service(api: Api, code: str) -> dict[str, Any]:
    services = api.call("GET", "/services").json["services"]
    return dict(next(s for s in services if s["code"] == code))


def test_a_service_is_edited_through_the_api_rules(api: Api) -> None:
    token = admin_session(api)
    saved = post(
        api, "/admin/services/ho-tich", token, name_vi="Hộ tịch – khai sinh",
        name_en="Civil status", prefix="k", hours="mon-fri 07:30-11:30; sat 08:00-11:00",
        daily_limit="120", priority_policy="interleaved", interleave_every="4", active="on",
    )
    edited = service(api, "ho-tich")
    shown = page(api, "/admin/services")

    assert saved.status_code == 302
    assert edited["name_vi"] == "Hộ tịch – khai sinh" and edited["prefix"] == "K"
    assert edited["daily_limit"] == 120 and edited["priority_policy"] == "interleaved"
    assert edited["interleave_every"] == 4
    assert "Thứ Hai–Thứ Sáu: 07:30–11:30; Thứ Bảy: 08:00–11:00; nghỉ: Chủ Nhật" in shown


def test_wrong_hours_and_a_taken_prefix_change_nothing(api: Api) -> None:
    token = admin_session(api)
    before = service(api, "ho-tich")
    other = next(
        s for s in api.call("GET", "/services").json["services"] if s["code"] != "ho-tich"
    )

    post(api, "/admin/services/ho-tich", token, hours="thu hai 7h-11h", active="on")
    bad_hours = page(api, "/admin/services")
    post(api, "/admin/services/ho-tich", token, prefix=other["prefix"], active="on")
    taken = page(api, "/admin/services")

    assert "không hợp lệ" in bad_hours
    assert "đã được dùng" in taken
    assert service(api, "ho-tich") == before


def test_the_hours_preview_says_what_the_hours_mean(api: Api) -> None:
    admin_session(api)
    good = api.client.get("/admin/services/hours-preview?hours=mon-fri 07:00-11:30").json
    bad = api.client.get("/admin/services/hours-preview?hours=sáng thứ hai").json

    assert good == {
        "ok": True,
        "vi": "Thứ Hai–Thứ Sáu: 07:00–11:30; nghỉ: Thứ Bảy–Chủ Nhật",
        "en": "Mon–Fri: 07:00–11:30; closed: Sat–Sun",
    }
    assert bad["ok"] is False and "Ví dụ" in bad["vi"]


def test_a_new_service_and_counter_then_the_counter_is_retired_after_a_question(
    api: Api,
) -> None:
    token = admin_session(api)
    post(
        api, "/admin/services", token, code="dat-dai", prefix="D", name_vi="Đất đai",
        name_en="Land", hours="always", daily_limit="", priority_policy="strict",
        interleave_every="3",
    )
    twice = post(api, "/admin/services", token, code="dat-dai", prefix="E", name_vi="Trùng")
    page(api, "/admin/services")
    post(api, "/admin/counters", token, number="9", name="Quầy đất đai", services="dat-dai")
    post(api, "/admin/counters/9", token, name="Quầy 9 – đất đai", services=["dat-dai", "ho-tich"])
    counters = {c["number"]: c for c in api.call("GET", "/counters", "admin").json["counters"]}
    ticket = api.issue("dat-dai")

    asked = post(api, "/admin/counters/9/retire", token)
    still_open = {c["number"]: c for c in api.call("GET", "/counters", "admin").json["counters"]}
    post(api, "/admin/counters/9/retire", token, confirm="yes")
    counter_id = counters[9]["id"]
    call = api.call("POST", f"/counters/{counter_id}/call-next", "admin")

    assert twice.status_code == 302 and service(api, "dat-dai")["name_vi"] == "Đất đai"
    assert counters[9]["name"] == "Quầy 9 – đất đai"
    assert sorted(counters[9]["services"]) == ["dat-dai", "ho-tich"]
    assert asked.status_code == 200 and "Ngừng sử dụng quầy 9?" in asked.get_data(as_text=True)
    assert still_open[9]["state"] == "open"
    assert call.status_code == 409 and call.json["error"]["code"] == "counter_retired"
    assert "Ngừng sử dụng" in page(api, "/admin/services")

    post(api, "/admin/counters/9/reinstate", token)
    again = api.call("POST", f"/counters/{counter_id}/call-next", "admin")
    assert again.status_code == 200 and again.json["number"] == ticket["number"]


def test_a_counter_serving_a_visitor_is_not_retired(api: Api) -> None:
    token = admin_session(api)
    api.issue("ho-tich")
    serving = next(
        number
        for number in api.counters
        if api.desk(number, "call-next").status_code == 200
    )

    post(api, f"/admin/counters/{serving}/retire", token, confirm="yes")

    assert "vẫn đang phục vụ" in page(api, "/admin/services")
    counters = api.call("GET", "/counters", "admin").json["counters"]
    states = {c["number"]: c["state"] for c in counters}
    assert states[serving] == "open"


# audit log -----------------------------------------------------------------------------


def test_the_audit_log_filters_by_who_what_and_when_and_exports_csv(api: Api) -> None:
    token = admin_session(api)
    post(api, f"/admin/users/{user_id(api, 'officer2')}/sign-out", token, confirm="yes")
    api.issue("ho-tich")
    today = api.runtime.clock().date()

    accounts = page(api, "/admin/audit?kind=accounts.&who=admin")
    tickets = page(api, "/admin/audit?kind=ticket.")
    nobody = page(api, "/admin/audit?who=khong-ai-ca")
    tomorrow = page(api, f"/admin/audit?from={today + timedelta(days=2)}")
    exported = api.client.get(f"/admin/audit.csv?kind=accounts.&to={today + timedelta(days=1)}")

    assert "user_tokens_revoked" in accounts and "<code>ticket.issued" not in accounts
    assert "<code>ticket.issued" in tickets and "<code>accounts.changed" not in tickets
    assert "Không có dòng nào khớp bộ lọc." in nobody
    assert "Không có dòng nào khớp bộ lọc." in tomorrow
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    csv = exported.get_data(as_text=True)
    assert csv.startswith("\ufeffat,kind,actor") and "user_tokens_revoked" in csv
    assert "ticket.issued" not in csv


# working calendar ----------------------------------------------------------------------


def test_the_yearly_notice_is_entered_day_by_day(api: Api) -> None:
    token = admin_session(api)
    post(api, "/admin/calendar/day", token, date="2026-01-02", kind="off", note="TB 1234")
    post(api, "/admin/calendar/day", token, date="2026-01-10", kind="working", note="Làm bù")
    year = api.call("GET", "/dossiers/calendar/2026").json
    shown = page(api, "/admin/calendar?year=2026")
    post(api, "/admin/calendar/day", token, date="2026-01-02", kind="rules")
    after = api.call("GET", "/dossiers/calendar/2026").json
    bad = post(api, "/admin/calendar/day", token, date="02/01/2026", kind="off")

    assert {(o["date"], o["working"]) for o in year["overrides"]} == {
        ("2026-01-02", False),
        ("2026-01-10", True),
    }
    assert {"date": "2026-01-02", "name": "TB 1234"} in year["holidays"]
    assert "TB 1234" in shown and "Làm việc (bù)" in shown
    assert [o["date"] for o in after["overrides"]] == ["2026-01-10"]
    assert bad.status_code == 302 and "Hãy chọn ngày" in page(api, "/admin/calendar?year=2026")


# dossier feeds -------------------------------------------------------------------------


def test_an_xlsx_import_shows_its_row_report_then_imports(api: Api) -> None:
    token = admin_session(api)
    rows = upstream_rows(api, 5)
    rows[2][5] = "31/02/2024"

    refused = api.client.post(
        "/admin/feeds/import",
        data={"csrf_token": token, "file": (io.BytesIO(xlsx(rows)), "ho-so.xlsx")},
    )
    rows[2][5] = rows[1][5]
    done = api.client.post(
        "/admin/feeds/import",
        data={"csrf_token": token, "file": (io.BytesIO(xlsx(rows)), "ho-so.xlsx")},
    )
    feeds = page(api, "/admin/feeds")

    report = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "<td>4</td><td>NgayTiepNhan</td>" in report and "không phải ngày" in report
    assert done.status_code == 200 and "Đã nhập 5 hồ sơ." in done.get_data(as_text=True)
    assert mirrored(api) == 5
    assert 'data-source="import"' in feeds and "Chưa lần nào" in feeds


def test_an_import_without_a_spreadsheet_is_refused_in_words(api: Api) -> None:
    token = admin_session(api)
    sent = api.client.post(
        "/admin/feeds/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"MZ\x90"), "virus.exe")},
    )
    assert sent.status_code == 400 and "Hãy chọn một tệp .xlsx hoặc .csv." in sent.get_data(
        as_text=True
    )
    assert mirrored(api) == 0


# site switcher -------------------------------------------------------------------------


def second_site(api: Api) -> None:
    """Another centre, and an admin bound to no site (one who runs both)."""
    config = SiteFile.model_validate(
        {
            "site": SiteSection(code="xa-b", name_vi="Trung tâm xã B").model_dump(),
            "services": [{"code": "tu-phap", "prefix": "T", "name_vi": "Tư pháp xã B"}],
        }
    )
    now = api.runtime.clock()
    with api.runtime.uow() as uow:
        apply_site_file(uow, config, "test", now)
        create_user(uow, None, "tong-admin", Role.ADMIN, PASSWORD, now)
        uow.commit()


def sign_in_page(api: Api, username: str) -> str:
    token = csrf_of(api, "/admin/login")
    api.client.post(
        "/admin/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    return csrf_of(api, "/admin")


def test_an_admin_of_several_sites_switches_and_a_site_admin_cannot(api: Api) -> None:
    second_site(api)
    token = sign_in_page(api, "tong-admin")
    before = page(api, "/admin/services")
    with api.runtime.uow(readonly=True) as uow:
        other = next(s.id for s in uow.repo.sites() if s.code == "xa-b")
    api.client.post(
        "/admin/site-choice", data={"csrf_token": token, "site": other, "back": "/admin/services"}
    )
    after = page(api, "/admin/services")

    assert 'name="site"' in before and "Tư pháp xã B" not in before
    assert "Tư pháp xã B" in after

    site_admin = sign_in_page(api, "admin")
    api.client.post("/admin/site-choice", data={"csrf_token": site_admin, "site": other})
    own = page(api, "/admin/services")
    assert "Tư pháp xã B" not in own and 'action="/admin/site-choice"' not in own
