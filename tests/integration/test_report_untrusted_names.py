"""Names typed by people reach the reports as text (issue 13, finding 13): a service
named like markup still renders in the PDF, a name starting like a formula stays text
in the workbook and in the audit CSV, and the admin forms refuse what the API refuses."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from report_activity import generate_activity
from server_fixtures import PASSWORD, Api
from sqlalchemy import select, update
from test_web_admin import admin_session

from queue_server.adapters.tables import users

MARKUP = "<b>Đất đai & nhà ở"
FORMULA = '=HYPERLINK("http://127.0.0.1/x","Bấm vào đây")'
OFFICER_NAMES = (FORMULA, "+84 Lan", "-Hương", "@Minh")
MONTH = {"period": "month", "from": "2026-11-01"}
#: What a caller can put in a forwarded address (no commas: the last hop is kept).
ADDRESS_FORMULAS = ("=cmd|' /C calc'!A0", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)")
CITIZEN_ID = "079185001234"


@pytest.fixture
def named(api: Api, clock: Any) -> Api:
    """A service named like markup; officers whose full names (free text for an admin)
    start like formulas."""
    code = api.call("GET", "/services").json["services"][0]["code"]
    renamed = api.call("PATCH", f"/services/{code}", "admin", json={"name_vi": MARKUP})
    assert renamed.status_code == 200
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    generate_activity(api.runtime, date(2026, 11, 1), date(2026, 11, 30), per_service_day=2)
    with api.runtime.uow() as uow:
        officers = uow.session.execute(
            select(users.c.id).where(users.c.full_name != "").order_by(users.c.id)
        ).scalars()
        for user_id, name in zip(officers, OFFICER_NAMES, strict=False):
            uow.session.execute(update(users).where(users.c.id == user_id).values(full_name=name))
        uow.commit()
    return api


def test_a_service_named_like_markup_prints_as_written(named: Api, tmp_path: Path) -> None:
    response = named.call(
        "GET", "/reports/export", "supervisor", query_string={**MONTH, "format": "pdf"}
    )
    assert response.status_code == 200, response.data[:300]
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "<b>Đất đai & nhà ở" in text


def test_names_starting_like_a_formula_are_text_in_the_workbook(named: Api) -> None:
    response = named.call(
        "GET", "/reports/export", "supervisor", query_string={**MONTH, "format": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Theo cán bộ"]
    names = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    for name in OFFICER_NAMES:
        assert names[name].data_type == "s", (name, names[name].data_type)
        assert names[name].quotePrefix


def test_the_admin_form_refuses_a_user_name_the_api_refuses(api: Api) -> None:
    csrf = admin_session(api)
    form = {"password": PASSWORD, "role": "officer", "full_name": "", "csrf_token": csrf}
    refused = api.client.post("/admin/users", data={**form, "username": FORMULA})
    accepted = api.client.post("/admin/users", data={**form, "username": "can-bo-9"})
    assert refused.status_code == accepted.status_code == 302
    names = [u["username"] for u in api.call("GET", "/users", "admin").json["users"]]
    assert "can-bo-9" in names and FORMULA not in names
    api_answer = api.call(
        "POST",
        "/users",
        "admin",
        json={"username": FORMULA, "password": PASSWORD, "role": "officer"},
    )
    assert api_answer.status_code == 400


def test_the_admin_form_refuses_a_hotline_longer_than_the_api_allows(api: Api) -> None:
    csrf = admin_session(api)
    site = api.call("GET", "/site").json
    form = {
        "name_vi": site["name_vi"],
        "name_en": "",
        "hotline": "1" * 41,
        "ticker_vi": "",
        "ticker_en": "",
        "csrf_token": csrf,
    }
    assert api.client.post("/admin/site", data=form).status_code == 302
    assert api.call("GET", "/site").json["hotline"] == site["hotline"]
    assert api.client.post("/admin/site", data={**form, "hotline": "1900 1234"}).status_code == 302
    assert api.call("GET", "/site").json["hotline"] == "1900 1234"


def test_the_audit_csv_writes_formula_like_cells_as_text_and_masks_id_numbers(
    api: Api,
) -> None:
    for address in ADDRESS_FORMULAS:
        refused = api.client.post(
            "/api/v1/auth/token",
            json={"username": "officer", "password": "khong-dung"},
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert refused.status_code == 401
    # An account named like a citizen ID number makes an audited change.
    created = api.call(
        "POST", "/users", "admin",
        json={"username": CITIZEN_ID, "password": PASSWORD, "role": "admin"},
    )
    assert created.status_code == 201
    signed_in = api.call("POST", "/auth/token", json={"username": CITIZEN_ID, "password": PASSWORD})
    api.tokens["id-like"] = signed_in.json["token"]
    assert api.call("PATCH", "/site", "id-like", json={"hotline": "1900 1234"}).status_code == 200

    view = api.call("GET", "/audit", "admin").json["entries"]
    exported = api.call("GET", "/audit.csv", "admin").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))

    failed = sorted(row["address"] for row in rows if row["kind"] == "auth.failed")
    assert failed == sorted(f"'{address}" for address in ADDRESS_FORMULAS)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    # The JSON view is no spreadsheet: it keeps the address as it came.
    viewed = {e["address"] for e in view if e["kind"] == "auth.failed"}
    assert viewed == set(ADDRESS_FORMULAS)
    # The ID-like name is masked in the export as in the view.
    assert CITIZEN_ID not in exported and CITIZEN_ID not in str(view)
    site_change = next(row for row in rows if row["kind"] == "config.changed")
    assert site_change["actor"] == "user:[id-number]"
    assert "user:[id-number]" in {e["actor"] for e in view if e["kind"] == "config.changed"}
