"""Input found by fuzzing (issue 13, finding 12): each case answers a 4xx in the error
shape, on both engines, and nothing is stored from a refused request."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from server_fixtures import Api
from test_api_bad_input import assert_error_shape
from test_connector_webhook import SECRET, hooked, push  # noqa: F401 (fixture)

from queue_server.dossiers.connectors.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER
from queue_server.mock_upstream import demo_dossiers

HUGE = "99999999999999999999"


def test_an_event_id_beyond_any_integer_is_a_bad_request(api: Api) -> None:
    by_query = api.call("GET", f"/events?since={HUGE}")
    by_header = api.call("GET", "/events", headers={"Last-Event-ID": HUGE})
    for response in (by_query, by_header):
        assert_error_shape(response, 400)


@pytest.mark.parametrize("ticket_id", [2**31, 2**63, 10**30])
def test_a_ticket_id_beyond_the_column_is_not_found(api: Api, ticket_id: int) -> None:
    assert_error_shape(api.call("GET", f"/tickets/{ticket_id}", "admin"), 404)
    issued = api.issue()
    assert api.call("GET", f"/tickets/{issued['id']}", "admin").status_code == 200


def test_null_for_a_text_field_is_refused_and_nothing_changes(api: Api) -> None:
    before = api.call("GET", "/site").json
    for path, field in (("/site", "name_en"), ("/site", "hotline"), ("/services/ho-tich", "hours")):
        response = api.call("PATCH", path, "admin", json={field: None})
        assert_error_shape(response, 400)
        assert response.json["error"]["details"][0]["field"] == field
    assert api.call("GET", "/site").json == before


def test_a_prefix_used_by_another_service_is_a_conflict(api: Api) -> None:
    taken = api.call("GET", "/services").json["services"][0]
    response = api.call(
        "POST",
        "/services",
        "admin",
        json={"code": "moi", "prefix": taken["prefix"], "name_vi": "Dịch vụ mới"},
    )
    assert_error_shape(response, 409)
    assert response.json["error"]["code"] == "conflict"
    assert "moi" not in [s["code"] for s in api.call("GET", "/services").json["services"]]


def test_a_second_pairing_request_with_the_same_token_is_a_conflict(api: Api) -> None:
    body = {"kind": "kiosk", "token_hash": "ab" * 32}
    assert api.call("POST", "/pairing", json=body).status_code == 201
    again = api.call("POST", "/pairing", json=body)
    assert_error_shape(again, 409)
    assert again.json["error"]["code"] == "conflict"


def test_audit_dates_without_an_offset_are_the_sites_local_time(api: Api) -> None:
    assert api.call("PATCH", "/site", "admin", json={"hotline": "1900 1234"}).status_code == 200
    local_now = api.runtime.clock().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    hour_ago = (local_now - timedelta(hours=1)).isoformat(timespec="minutes")
    tomorrow = (local_now + timedelta(days=1)).date().isoformat()
    # Read as UTC, an hour ago in Hà Nội would be six hours ahead and find nothing.
    recent = api.call("GET", "/audit", "admin", query_string={"since": hour_ago, "kind": "config."})
    assert recent.status_code == 200, recent.json
    assert any("1900 1234" in json.dumps(e, ensure_ascii=False) for e in recent.json["entries"])
    later = api.call("GET", "/audit", "admin", query_string={"since": tomorrow})
    assert later.status_code == 200, later.json
    assert later.json["entries"] == []
    csv = api.call("GET", "/audit.csv", "admin", query_string={"until": tomorrow})
    assert csv.status_code == 200 and "config.changed" in csv.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "period=range&from=0001-01-01&to=0001-01-31",
        "period=range&from=9999-12-01&to=9999-12-31",
        "period=year&from=9999-12-31",
        "period=month&from=0001-01-01",
        "period=half&from=9999-12-31",
    ],
)
def test_report_dates_at_the_ends_of_the_calendar_are_refused(api: Api, query: str) -> None:
    for path in (f"/reports/summary?{query}", f"/reports/export?format=pdf&{query}"):
        assert_error_shape(api.call("GET", path, "supervisor"), 400)


def _with_dtd(workbook: bytes) -> bytes:
    """The same workbook with a billion-laughs DTD in its sheet."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().split("?>", 1)[-1]
                data = (laughs + text).replace("MaHoSo", "&lol2;").encode()
            target.writestr(item, data)
    return out.getvalue()


def test_an_xlsx_with_a_dtd_is_refused(api: Api) -> None:
    book = Workbook()
    book.active.append(["MaHoSo", "TrangThai", "NgayTiepNhan"])
    book.active.append(["000.00.06.H56-231027-0361", "Mới đăng ký", "2026-11-20"])
    plain = io.BytesIO()
    book.save(plain)
    response = api.call(
        "POST",
        "/dossiers/import",
        "admin",
        data={"file": (io.BytesIO(_with_dtd(plain.getvalue())), "ho-so.xlsx")},
        content_type="multipart/form-data",
    )
    assert_error_shape(response, 422)
    assert response.json["error"]["code"] == "import_rejected"
    assert "DTD" in response.json["error"]["message"]


def test_an_unsigned_deeply_nested_push_is_refused_before_parsing(hooked: Api) -> None:  # noqa: F811
    body = b"[" * 200_000 + b"]" * 200_000
    now = str(int(hooked.runtime.clock().timestamp()))
    unsigned = hooked.call(
        "POST", "/dossiers/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    forged = hooked.call(
        "POST",
        "/dossiers/webhook",
        data=body,
        headers={TIMESTAMP_HEADER: now, SIGNATURE_HEADER: "sha256=" + "0" * 64},
    )
    for response in (unsigned, forged):
        assert_error_shape(response, 401)
        assert response.json["error"]["code"] == "webhook_refused"


def test_a_signed_deeply_nested_push_is_a_bad_body(hooked: Api) -> None:  # noqa: F811
    body = b'{"dossiers": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    response = push(hooked, body, int(hooked.runtime.clock().timestamp()))
    assert_error_shape(response, 422)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("NgayTiepNhan", "0001-01-01T00:00:00+14:00"),
        ("NgayTiepNhan", "9999-12-31T23:59:59-12:00"),
        ("NgayHenTra", "31/12/99999"),
        ("ChuHoSo", "Nguyễn \ud800 A"),
        ("TenTTHC", "Cấp\x00 giấy"),
        ("TrangThai", "Mới\x00"),
        ("QuaTrinhXuLy", '[{"NoiDung": "Tiếp nhận", "ThoiDiem": "0001-01-01T00:00:00+01:00"}]'),
    ],
)
def test_a_pushed_row_with_an_impossible_value_is_refused_by_row(
    hooked: Api,  # noqa: F811
    field: str,
    value: str,
) -> None:
    rows = demo_dossiers(2, hooked.runtime.clock(), seed=3)
    rows[1][field] = value
    body = json.dumps({"dossiers": rows}).encode()  # \ud800 goes out as the escape "\\ud800"
    response = push(hooked, body, int(hooked.runtime.clock().timestamp()))
    assert_error_shape(response, 422)
    assert response.json["error"]["code"] == "import_rejected"
    assert response.json["error"]["details"][0]["row"] == 2
    missing = hooked.call("GET", "/dossiers/lookup", query_string={"q": rows[0]["MaHoSo"]})
    assert missing.status_code == 404


def test_every_reference_in_the_openapi_document_resolves(api: Api) -> None:
    document = api.call("GET", "/openapi.json").json
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        target: object = document
        for part in ref[2:].split("/"):
            assert isinstance(target, dict) and part in target, ref
            target = target[part]

