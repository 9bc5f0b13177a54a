"""Procedure catalogue: JSON/XLSX import (all or nothing) and accent-insensitive search."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from import_files import million_row_sheet
from openpyxl import Workbook
from server_fixtures import Api

from queue_server.bootstrap import DEMO_PROCEDURES


def upload(api: Api, data: bytes, name: str, who: str = "admin") -> object:
    return api.call(
        "POST",
        "/procedures/import",
        who,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def catalogue(api: Api) -> Api:
    response = upload(api, Path(DEMO_PROCEDURES).read_bytes(), "tthc.json")
    assert response.json == {"imported": 10}
    return api


def names(api: Api, **query: str) -> list[str]:
    response = api.call("GET", "/procedures", query_string=query)
    assert response.status_code == 200
    return [p["name"] for p in response.json]


def test_search_ignores_accents_case_and_word_order(catalogue: Api) -> None:
    assert names(catalogue, q="dang ky khai sinh") == ["Đăng ký khai sinh"]
    assert names(catalogue, q="KHAI SINH đăng") == ["Đăng ký khai sinh"]
    assert names(catalogue, q="quyen su dung dat") == [
        "Đăng ký biến động quyền sử dụng đất do chuyển nhượng",
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở lần đầu",
    ]
    assert names(catalogue, q="1.009994") == ["Cấp giấy phép xây dựng nhà ở riêng lẻ"]
    assert len(names(catalogue, field="ho tich")) == 4
    assert names(catalogue, q="100%_") == []


def test_detail_has_documents_fees_and_working_hours(catalogue: Api) -> None:
    detail = catalogue.call("GET", "/procedures/1.000894.000.00.00.H56").json
    assert detail["time_limit"] == "03 ngày làm việc"
    assert detail["working_hours"] == 24
    assert detail["documents"][0] == "Tờ khai đăng ký kết hôn theo mẫu"
    assert catalogue.call("GET", "/procedures/9.999999").status_code == 404


def test_xlsx_catalogue_with_a_bad_row_saves_nothing(api: Api) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["MaTTHC", "TenTTHC", "LinhVuc", "ThoiHanGiaiQuyet", "ThanhPhanHoSo"])
    sheet.append(["1.001193.000.00.00.H56", "Đăng ký khai sinh", "Hộ tịch", "01 ngày", "Tờ khai"])
    sheet.append(["1-001022", "Đăng ký khai tử", "Hộ tịch", "01 ngày", "Tờ khai"])
    out = io.BytesIO()
    book.save(out)
    refused = upload(api, out.getvalue(), "tthc.xlsx")
    assert refused.status_code == 422
    assert [(d["row"], d["field"]) for d in refused.json["error"]["details"]] == [(3, "code")]
    assert names(api) == []
    sheet.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    assert upload(api, out.getvalue(), "tthc.xlsx").json == {"imported": 1}
    assert names(api, q="khai sinh") == ["Đăng ký khai sinh"]


def test_import_needs_an_admin_and_json_of_the_right_shape(api: Api) -> None:
    data = json.dumps([{"code": "1.001193", "name": "Đăng ký khai sinh"}]).encode()
    assert upload(api, data, "tthc.json", who="supervisor").status_code == 403
    assert upload(api, b'{"x": 1}', "tthc.json").status_code == 422
    assert upload(api, data, "tthc.json").json == {"imported": 1}


def test_a_catalogue_sheet_over_the_row_cap_is_refused_with_413(api: Api) -> None:
    response = upload(api, million_row_sheet(), "tthc.xlsx")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "import_too_large"
    assert api.call("GET", "/procedures").json == []
