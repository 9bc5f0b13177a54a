"""CSV / XLSX import: all rows or none, with a report naming each bad row."""

from __future__ import annotations

import io
from typing import Any

from dossier_fixtures import site_id
from import_files import million_row_sheet
from openpyxl import Workbook
from server_fixtures import Api
from sqlalchemy import func, select

from queue_server.adapters.tables import dossiers
from queue_server.mock_upstream import demo_dossiers

COLUMNS = ["MaHoSo", "TrangThai", "TenTTHC", "ChuHoSo", "SoCCCD", "NgayTiepNhan", "NgayHenTra"]


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upstream_rows(api: Api, count: int) -> list[list[Any]]:
    return [[r[c] for c in COLUMNS] for r in demo_dossiers(count, api.runtime.clock())]


def mirrored(api: Api) -> int:
    with api.runtime.uow(readonly=True) as uow:
        query = (
            select(func.count())
            .select_from(dossiers)
            .where(dossiers.c.site_id == site_id(api.runtime))
        )
        return uow.session.execute(query).scalar_one()


def upload(api: Api, data: bytes, name: str, who: str = "admin") -> Any:
    return api.call(
        "POST",
        "/dossiers/import",
        who,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_xlsx_with_one_bad_row_imports_nothing_and_names_the_row(api: Api) -> None:
    rows = upstream_rows(api, 12)
    rows[6][5] = "31/02/2024"  # sheet row 8: a date that does not exist
    response = upload(api, xlsx(rows), "ho-so.xlsx")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "import_rejected"
    assert error["details"] == [
        {
            "row": 8,
            "field": "received_at",
            "column": "NgayTiepNhan",
            "problem": "not a date: use 2024-08-23T14:30:00+07:00 or 23/08/2024 14:30",
            "problem_vi": "không phải ngày: dùng dạng 2024-08-23T14:30:00+07:00 hoặc "
            "23/08/2024 14:30",
        }
    ]
    assert mirrored(api) == 0


def test_xlsx_report_lists_every_bad_row_without_echoing_values(api: Api) -> None:
    rows = upstream_rows(api, 6)
    rows[1][0] = "079201001234"
    rows[3][1] = "Trạng thái lạ"
    rows[5][0] = rows[0][0]
    response = upload(api, xlsx(rows), "ho-so.xlsx")
    assert response.status_code == 422
    details = response.json["error"]["details"]
    assert [(d["row"], d["field"]) for d in details] == [(3, "code"), (5, "status"), (7, "code")]
    assert "dòng 2" in details[2]["problem_vi"]
    assert "079201001234" not in response.get_data(as_text=True)
    assert mirrored(api) == 0


def test_good_xlsx_and_csv_are_mirrored_and_looked_up(api: Api) -> None:
    rows = upstream_rows(api, 15)
    assert upload(api, xlsx(rows), "ho-so.xlsx").json == {"imported": 15}
    csv_rows = upstream_rows(api, 20)[15:]
    text = "\ufeff" + ";".join(COLUMNS) + "\n"
    text += "".join(";".join(str(v) for v in row) + "\n" for row in csv_rows)
    assert upload(api, text.encode(), "ho-so.csv").json == {"imported": 5}
    assert mirrored(api) == 20
    answer = api.call("GET", "/dossiers/lookup", query_string={"q": csv_rows[0][0]})
    assert answer.status_code == 200
    assert answer.json["procedure"]["name"] == csv_rows[0][2]
    feeds = {f["source"]: f for f in api.call("GET", "/dossiers/feeds", "admin").json}
    assert feeds["import"]["rows_total"] == 20


def test_import_needs_an_admin_and_a_known_format(api: Api) -> None:
    data = xlsx(upstream_rows(api, 2))
    assert upload(api, data, "ho-so.xlsx", who="officer").status_code == 403
    refused = upload(api, b"not a spreadsheet", "ho-so.xlsx")
    assert refused.status_code == 422
    assert "XLSX" in refused.json["error"]["message"]
    assert upload(api, data, "ho-so.pdf").status_code == 422


def test_many_bad_rows_answer_the_first_100_and_a_count_of_the_rest(api: Api) -> None:
    rows = b"MaHoSo,TrangThai\n" + b"not-a-code,1\n" * 2_500
    response = upload(api, rows, "ho-so.csv")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "import_rejected"
    assert [p["row"] for p in error["details"]] == list(range(2, 102))
    assert error["unlisted_problems"] == 2_400
    assert "2500 rows are not valid" in error["message"]
    assert len(response.data) < 64 * 1024
    assert mirrored(api) == 0


def test_a_file_over_the_row_cap_is_refused_with_413_and_nothing_kept(api: Api) -> None:
    response = upload(api, million_row_sheet(), "ho-so.xlsx")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "import_too_large"
    assert "Tệp quá lớn" in response.json["error"]["message_vi"]
    assert mirrored(api) == 0
    # The importer still works afterwards.
    assert upload(api, xlsx(upstream_rows(api, 3)), "ho-so.xlsx").json == {"imported": 3}


def test_a_csv_with_a_quote_never_closed_is_refused_naming_the_line(api: Api) -> None:
    """The quote swallows the rest of the file into one field, past the CSV reader's
    limit: a refusal that says where to look, not a failed import to retry."""
    good = ",".join(str(v) for v in upstream_rows(api, 1)[0])
    rows = f"{','.join(COLUMNS)}\n{good}\n".encode() + b'x,"' + b"a" * 140_000 + b"\n"
    response = upload(api, rows, "ho-so.csv")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "import_rejected"
    assert "from line 3" in error["message"] and "dấu ngoặc kép" in error["message_vi"]
    assert mirrored(api) == 0
