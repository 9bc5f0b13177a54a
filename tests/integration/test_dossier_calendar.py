"""The admin's yearly override table for the working calendar, through the API."""

from __future__ import annotations

from server_fixtures import Api


def test_admin_replaces_a_year_of_overrides_and_everyone_sees_the_days_off(api: Api) -> None:
    overrides = [
        {"date": "2025-05-02", "working": False, "note": "Nghỉ bù 30/4"},
        {"date": "2025-04-26", "working": True, "note": "Làm bù thứ Bảy"},
    ]
    saved = api.call("PUT", "/dossiers/calendar/2025", "admin", json={"overrides": overrides})
    assert saved.status_code == 200, saved.json
    view = api.call("GET", "/dossiers/calendar/2025").json
    holidays = {h["date"]: h["name"] for h in view["holidays"]}
    assert holidays["2025-05-02"] == "Nghỉ bù 30/4"
    assert holidays["2025-04-07"] == "Giỗ Tổ Hùng Vương"
    assert holidays["2025-01-29"] == "Tết Nguyên đán"
    assert [o["date"] for o in view["overrides"]] == ["2025-04-26", "2025-05-02"]
    again = api.call("PUT", "/dossiers/calendar/2025", "admin", json={"overrides": overrides[:1]})
    assert [o["date"] for o in again.json["overrides"]] == ["2025-05-02"]


def test_overrides_are_checked_and_admin_only(api: Api) -> None:
    body = {"overrides": [{"date": "2026-01-02", "working": False}]}
    assert api.call("PUT", "/dossiers/calendar/2026", "officer", json=body).status_code == 403
    wrong_year = api.call("PUT", "/dossiers/calendar/2025", "admin", json=body)
    assert wrong_year.status_code == 400
    assert wrong_year.json["error"]["code"] == "invalid_calendar"
    bad_date = {"overrides": [{"date": "2026-02-30", "working": False}]}
    refused = api.call("PUT", "/dossiers/calendar/2026", "admin", json=bad_date)
    assert refused.status_code == 400
    assert "YYYY-MM-DD" in refused.json["error"]["message"]
    assert api.call("GET", "/dossiers/calendar/1999").status_code == 400
