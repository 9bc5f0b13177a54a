"""Who may do what: roles, device tokens, counters bound to officers and keypads."""

from __future__ import annotations

from server_fixtures import PASSWORD, Api


def test_sign_in_gives_a_token_that_works_and_can_be_revoked(api: Api) -> None:
    bad = api.call("POST", "/auth/token", json={"username": "officer", "password": "sai"})
    assert bad.status_code == 401 and bad.json["error"]["message_vi"].startswith("Sai tên")
    unknown = api.call("POST", "/auth/token", json={"username": "ai-do", "password": "x"})
    assert unknown.status_code == 401
    assert unknown.json["error"]["message"] == bad.json["error"]["message"]
    ok = api.call("POST", "/auth/token", json={"username": "officer", "password": PASSWORD})
    assert ok.status_code == 201 and ok.json["role"] == "officer"
    api.tokens["fresh"] = ok.json["token"]
    assert api.call("GET", "/tickets/1", "fresh").status_code == 404  # authorised, no ticket
    assert api.call("DELETE", "/auth/token", "fresh").status_code == 204
    assert api.call("GET", "/tickets/1", "fresh").status_code == 401


def test_token_expires_after_the_configured_hours(api: Api) -> None:
    ok = api.call("POST", "/auth/token", json={"username": "officer", "password": PASSWORD})
    api.tokens["fresh"] = ok.json["token"]
    api.runtime.clock.advance(hours=12, seconds=1)
    expired = api.call("GET", "/tickets/1", "fresh")
    assert expired.status_code == 401 and "hết hạn" in expired.json["error"]["message_vi"]


def test_device_tokens_are_scoped_to_their_job(api: Api) -> None:
    assert api.call("POST", "/tickets", json={"service": "ho-tich"}).status_code == 401
    assert api.call("POST", "/tickets", "board", json={"service": "ho-tich"}).status_code == 403
    api.issue()
    for who in ("kiosk", "board", "rating", "supervisor"):
        refused = api.desk(3, "call-next", who)
        assert refused.status_code == 403, who
        assert refused.json["error"]["code"] == "forbidden"
    assert (
        api.call("PATCH", "/services/ho-tich", "officer", json={"name_en": "x"}).status_code == 403
    )
    assert api.call("GET", "/tickets/1", "board").status_code == 200


def test_officer_acts_only_at_the_counter_signed_into(api: Api) -> None:
    api.issue()
    before = api.desk(3, "call-next", "officer")
    assert before.status_code == 403 and "quầy 3" in before.json["error"]["message_vi"]
    assert api.desk(3, "sign-in", "officer").json["officer_id"] is not None
    assert api.desk(3, "call-next", "officer").status_code == 200
    assert api.desk(4, "call-next", "officer").status_code == 403
    # The second officer takes counter 3 once the first signed out there.
    assert api.desk(3, "sign-out", "officer").status_code == 200
    assert api.desk(3, "sign-in", "officer2").status_code == 200
    assert api.desk(3, "finish", "officer").status_code == 403
    assert api.desk(3, "finish", "officer2").status_code == 200
    # Signing in elsewhere releases the previous counter.
    assert api.desk(4, "sign-in", "officer2").status_code == 200
    counters = {c["number"]: c for c in api.call("GET", "/counters", "supervisor").json["counters"]}
    assert counters[3]["officer_id"] is None and counters[4]["officer_id"] is not None


def test_counter_keypad_token_works_only_at_its_counter(api: Api) -> None:
    api.issue()
    assert api.desk(3, "call-next", "keypad3").status_code == 200
    assert api.desk(4, "call-next", "keypad3").status_code == 403
    assert api.desk(3, "sign-in", "keypad3").status_code == 403


def test_token_of_one_site_cannot_read_another_site(api: Api) -> None:
    assert api.call("GET", "/services?site=default", "kiosk").status_code == 200
    other = api.call("GET", "/services?site=huyen-khac", "kiosk")
    assert other.status_code == 403


def test_public_reads_need_no_token(api: Api) -> None:
    for path in ("/health", "/site", "/services", "/counters", "/queue", "/openapi.json"):
        assert api.call("GET", path).status_code == 200, path
    site = api.call("GET", "/site").json
    assert site["name_vi"].startswith("Trung tâm") and site["hotline"]
    assert {g["code"] for g in site["priority_groups"]} >= {"elderly", "disability"}


def test_tracking_view_reveals_only_the_ticket_itself(api: Api) -> None:
    ticket = api.call(
        "POST",
        "/tickets",
        "kiosk",
        json={"service": "ho-tich", "dossier_code": "000.00.06.H56-231027-0361"},
    )
    tracked = api.call("GET", f"/track/{ticket.json['track_token']}").json
    assert tracked["number"] == ticket.json["number"] and tracked["ahead"] == 0
    assert set(tracked) == {
        "number",
        "service",
        "service_name_vi",
        "service_name_en",
        "state",
        "issued_at",
        "called_at",
        "counter",
        "ahead",
        "estimated_wait_s",
    }


def test_admin_edits_services_and_counters_through_the_api(api: Api) -> None:
    new = {
        "code": "cong-chung",
        "prefix": "G",
        "name_vi": "Chứng thực",
        "name_en": "Notary",
        "priority_policy": "interleaved",
        "interleave_every": 2,
    }
    assert api.call("POST", "/services", "officer", json=new).status_code == 403
    created = api.call("POST", "/services", "admin", json=new)
    assert created.status_code == 200 and created.json["priority_policy"] == "interleaved"
    counter = api.call(
        "POST",
        "/counters",
        "admin",
        json={"number": 7, "name": "Quầy 7", "services": ["cong-chung"]},
    )
    assert counter.status_code == 200 and counter.json["services"] == ["cong-chung"]
    assert api.issue("cong-chung")["number"] == "G001"
    bad = api.call("POST", "/counters", "admin", json={"number": 8, "services": ["khong-co"]})
    assert bad.status_code == 400 and "khong-co" in bad.json["error"]["message_vi"]
    patched = api.call(
        "PATCH",
        "/services/ho-tich",
        "admin",
        json={"priority_policy": "strict", "name_en": "Civil"},
    )
    assert patched.status_code == 200 and patched.json["name_en"] == "Civil"
