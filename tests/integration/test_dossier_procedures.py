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
    assert response.json == {"imported": 15}
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
        LAND_CERTIFICATE,
    ]
    assert names(catalogue, q="1.009994") == ["Cấp giấy phép xây dựng nhà ở riêng lẻ"]
    assert len(names(catalogue, field="ho tich")) == 4
    assert names(catalogue, q="100%_") == []


LAND_CERTIFICATE = (
    "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở "
    "và tài sản khác gắn liền với đất lần đầu"
)


def test_syllables_typed_together_find_the_word_not_the_scattered_syllables(
    catalogue: Api,
) -> None:
    """``chứng thực`` is one word: the food-safety certificate holds ``chứng`` and
    ``thực`` far apart and is another word."""
    assert names(catalogue, q="chung thuc") == [
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
    ]
    assert names(catalogue, q="chứng thực bản") == [
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
    ]
    assert names(catalogue, q="thuc pham") == [
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm"
    ]


def test_words_match_whole_or_as_their_start_never_inside(catalogue: Api) -> None:
    assert names(catalogue, q="khai si") == ["Đăng ký khai sinh"]
    assert names(catalogue, q="tru") == ["Đăng ký tạm trú", "Đăng ký thường trú"]
    # "hôn" is inside no word of "Đăng ký khai sinh"; "inh" only inside words
    assert names(catalogue, q="inh") == []
    assert "Đăng ký kết hôn" in names(catalogue, q="ket hon")
    assert names(catalogue, q="đăng ký kết hôn") == ["Đăng ký kết hôn"]


def test_names_people_use_find_the_official_procedure_first(catalogue: Api) -> None:
    assert names(catalogue, q="so do")[0] == LAND_CERTIFICATE
    assert names(catalogue, q="Sổ hồng")[0] == LAND_CERTIFICATE
    assert names(catalogue, q="lam can cuoc") == [
        "Cấp thẻ căn cước cho công dân từ đủ 14 tuổi trở lên"
    ]
    assert names(catalogue, q="hộ khẩu") == ["Đăng ký tạm trú", "Đăng ký thường trú"]
    assert names(catalogue, q="giấy khai sinh")[0] == "Đăng ký khai sinh"
    assert names(catalogue, q="sang tên sổ đỏ")[0] == (
        "Đăng ký biến động quyền sử dụng đất do chuyển nhượng"
    )


def test_an_admin_teaches_search_a_new_name(catalogue: Api) -> None:
    entry = {"phrase": "giấy phép làm nhà", "target": "giấy phép xây dựng"}
    assert names(catalogue, q="giay phep lam nha") == []
    refused = catalogue.call("POST", "/procedures/vocabulary", "supervisor", json=entry)
    assert refused.status_code == 403
    saved = catalogue.call("POST", "/procedures/vocabulary", "admin", json=entry)
    assert saved.status_code == 200
    assert names(catalogue, q="giay phep lam nha") == ["Cấp giấy phép xây dựng nhà ở riêng lẻ"]
    listed = catalogue.call("GET", "/procedures/vocabulary").json
    assert entry in listed and {
        "phrase": "sổ đỏ",
        "target": "Giấy chứng nhận quyền sử dụng đất",
    } in listed
    # the same phrase (any accents) points elsewhere: the centre's entry wins
    moved = {"phrase": "so do", "target": "biến động quyền sử dụng đất"}
    assert catalogue.call("POST", "/procedures/vocabulary", "admin", json=moved).status_code == 200
    assert names(catalogue, q="sổ đỏ")[0] == "Đăng ký biến động quyền sử dụng đất do chuyển nhượng"
    wordless = {"phrase": "?!", "target": "x"}
    empty = catalogue.call("POST", "/procedures/vocabulary", "admin", json=wordless)
    assert empty.status_code == 400
    assert empty.json["error"]["message_vi"] == "Cụm từ và tên thủ tục cần có ít nhất một chữ."


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
