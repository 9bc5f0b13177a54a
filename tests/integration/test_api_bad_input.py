"""Malformed, unknown and hostile input gets a 4xx in the common error shape, never a 500."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_fixtures import Api

from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.api.spec import REGISTRY

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
BODIES = (
    st.dictionaries(
        st.sampled_from(["service", "priority", "number", "reason", "dossier_code", "extra", "id"]),
        JSON_VALUES,
        max_size=4,
    )
    | JSON_VALUES
)


def assert_error_shape(response, status: int | None = None) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:300])
    if status is not None:
        assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["code"] and error["message"] and error["message_vi"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2]", "malformed_json"),
        ('"ho-tich"', "malformed_json"),
        ('{"service": "ho-tich", "colour": "red"}', "invalid_request"),
        ('{"service": 12}', "invalid_request"),
        ('{"service": "ho-tich", "priority": 5}', "invalid_request"),
        ("{}", "invalid_request"),
    ],
)
def test_malformed_ticket_requests_are_refused_with_a_reason(
    api: Api, body: str, code: str
) -> None:
    response = api.call(
        "POST", "/tickets", "kiosk", data=body, headers={"Content-Type": "application/json"}
    )
    assert_error_shape(response, 400)
    assert response.json["error"]["code"] == code


def test_unknown_service_priority_and_wrong_content_type(api: Api) -> None:
    unknown = api.call("POST", "/tickets", "kiosk", json={"service": "khong-co"})
    assert_error_shape(unknown, 404)
    assert unknown.json["error"]["code"] == "unknown_service"
    bad_priority = api.call(
        "POST", "/tickets", "kiosk", json={"service": "ho-tich", "priority": "vip"}
    )
    assert_error_shape(bad_priority, 400)
    assert bad_priority.json["error"]["code"] == "invalid_priority"
    form = api.call(
        "POST",
        "/tickets",
        "kiosk",
        data="service=ho-tich",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error_shape(form, 415)


def test_closed_service_says_its_hours_in_both_languages(api: Api) -> None:
    patched = api.call(
        "PATCH", "/services/ho-tich", "admin", json={"hours": "mon-fri 07:00-11:30,13:30-17:00"}
    )
    assert patched.status_code == 200
    # 19:00 in Hà Nội on the test's day, whatever day MOTCUA_TEST_NOW names: closed.
    local = api.runtime.clock().astimezone(ZoneInfo(DEFAULT_ZONE))
    api.runtime.clock.now = local.replace(hour=19, minute=0)
    refused = api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich"})
    assert_error_shape(refused, 409)
    error = refused.json["error"]
    assert error["code"] == "service_closed"
    assert "07:00–11:30" in error["message_vi"] and "Thứ Hai" in error["message_vi"]
    assert "Mon" in error["message"]


def test_the_service_list_shows_closed_services_and_when_they_open(api: Api) -> None:
    """The kiosk greys a closed service out before anyone taps it."""
    hours = {"hours": "mon-fri 07:00-11:30,13:30-17:00"}
    assert api.call("PATCH", "/services/ho-tich", "admin", json=hours).status_code == 200
    api.runtime.clock.now = datetime(2026, 11, 28, 19, tzinfo=ZoneInfo(DEFAULT_ZONE))  # Sat
    listed = {s["code"]: s for s in api.call("GET", "/services").json["services"]}
    closed = listed.pop("ho-tich")
    assert closed["open_now"] is False
    assert closed["opens_at_vi"] == "Mở cửa lúc 07:00 thứ Hai"
    assert closed["opens_at_en"] == "Opens at 07:00 Mon"
    assert closed["opens_at"] == "2026-11-30T07:00:00+07:00"
    assert listed and all(s["open_now"] and s["opens_at_vi"] == "" for s in listed.values())


def test_daily_limit_refuses_without_burning_a_number(api: Api) -> None:
    assert (
        api.call("PATCH", "/services/ho-tich", "admin", json={"daily_limit": 2}).status_code == 200
    )
    assert [api.issue()["number"] for _ in range(2)] == ["B001", "B002"]
    refused = api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich"})
    assert_error_shape(refused, 409)
    assert refused.json["error"]["code"] == "daily_limit_reached"
    assert "hôm nay" in refused.json["error"]["message_vi"]
    assert (
        api.call("PATCH", "/services/ho-tich", "admin", json={"daily_limit": 3}).status_code == 200
    )
    assert api.issue()["number"] == "B003"


def test_unknown_routes_methods_and_ids_use_the_error_shape(api: Api) -> None:
    assert_error_shape(api.call("GET", "/nothing-here"), 404)
    assert_error_shape(api.call("DELETE", "/services", "admin"), 405)
    assert_error_shape(api.call("GET", "/tickets/999999", "board"), 404)
    assert_error_shape(api.call("POST", "/counters/999999/call-next", "admin"), 404)
    assert_error_shape(api.call("GET", "/track/not-a-token"), 404)
    assert_error_shape(api.call("GET", "/services?site=khong-co"), 404)
    too_big = api.call(
        "POST",
        "/tickets",
        "kiosk",
        data="x" * (2 << 20),
        headers={"Content-Type": "application/json"},
    )
    assert_error_shape(too_big, 413)


POST_ROUTES = [
    route.rule.removeprefix("/api/v1").replace("<int:counter_id>", "{counter}")
    for route in REGISTRY.routes
    if route.method == "post" and route.rule != "/api/v1/auth/token"
]


# An import runs in a child process (about a second each): fewer bodies there.
IMPORT_ROUTES = [path for path in POST_ROUTES if path.endswith("/import")]


def post_any_body(api: Api, path: str, body: object) -> None:
    target = path.format(counter=api.counters[3])
    response = api.call(
        "POST", target, "admin", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, response.data[:300]
    if response.status_code >= 400:
        assert_error_shape(response)


@pytest.mark.parametrize("path", [path for path in POST_ROUTES if path not in IMPORT_ROUTES])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_any_json_body_on_any_route_is_never_a_server_error(
    api: Api, path: str, body: object
) -> None:
    post_any_body(api, path, body)


@pytest.mark.parametrize("path", IMPORT_ROUTES)
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_any_json_body_sent_as_an_import_is_never_a_server_error(
    api: Api, path: str, body: object
) -> None:
    post_any_body(api, path, body)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(number=st.text(max_size=14), reason=st.text(max_size=250))
def test_counter_text_fields_are_validated_not_crashed(api: Api, number: str, reason: str) -> None:
    call = api.desk(3, "call", json={"number": number})
    pause = api.desk(3, "pause", json={"reason": reason})
    for response in (call, pause):
        assert response.status_code < 500
        if response.status_code >= 400:
            assert_error_shape(response)
    api.desk(3, "resume")


def test_nul_characters_are_refused_before_they_reach_the_database(api: Api) -> None:
    """PostgreSQL cannot store U+0000 in text: it must be a 400, not a 500."""
    body = api.desk(3, "pause", json={"reason": "Họp\x00"})
    assert_error_shape(body, 400)
    assert_error_shape(api.call("GET", "/track/abc%00def"), 400)
    assert_error_shape(api.call("GET", "/services?site=de%00fault"), 400)
