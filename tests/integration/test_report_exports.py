"""Reports through the API and the CLI: who may read them, the XLSX and PDF a supervisor
downloads (the PDF rendered to PNG pages under tests/artifacts/reports/), and the
reports the regulation schedule stores."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from clocks import process_env
from live_server import ROOT
from openpyxl import load_workbook
from PIL import Image
from report_activity import Activity, generate_activity
from server_fixtures import Api

from queue_server.reports.store import run_due_reports

PICTURES = Path(__file__).resolve().parents[1] / "artifacts" / "reports"
MONTH = {"period": "month", "from": "2026-11-01"}


@pytest.fixture
def month(api: Api, clock: Any) -> Activity:
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    return generate_activity(
        api.runtime, date(2026, 11, 1), date(2026, 11, 30), per_service_day=8, dossier_count=80
    )


def _get(api: Api, path: str, who: str | None, **query: Any) -> Any:
    return api.call("GET", path, who, query_string=query)


def test_only_supervisors_and_admins_read_reports(api: Api, month: Activity) -> None:
    assert _get(api, "/reports/summary", None, **MONTH).status_code == 401
    for who in ("officer", "technician", "kiosk", "board"):
        refused = _get(api, "/reports/summary", who, **MONTH)
        assert refused.status_code == 403, who
        assert refused.json["error"]["message_vi"]
    for who in ("supervisor", "admin"):
        assert _get(api, "/reports/summary", who, **MONTH).status_code == 200


def test_summary_names_its_period_and_honours_filters(api: Api, month: Activity) -> None:
    whole = _get(api, "/reports/summary", "supervisor", **MONTH).json
    assert whole["period"]["label_vi"] == "Tháng 11/2026"
    assert whole["totals"]["issued"] == sum(
        1 for t in month.tickets if t["transferred_from_id"] is None
    )
    assert {c["key"] for c in whole["columns"]["officer"]} >= {"served", "wait_p90", "satisfied"}
    assert len(whole["rows"]["service"]) == len(whole["by_service"]) == 6

    only_b = _get(api, "/reports/summary", "supervisor", **MONTH, service="ho-tich").json
    assert only_b["filters"] == {"service": "B · Hộ tịch"}
    assert [g["label"] for g in only_b["by_service"]] == ["B · Hộ tịch"]
    by_service = {g["label"]: g for g in whole["by_service"]}
    assert only_b["totals"]["served"] == by_service["B · Hộ tịch"]["served"]

    counter = _get(api, "/reports/summary", "supervisor", **MONTH, counter=2).json
    assert [g["label"] for g in counter["by_counter"]] == ["Quầy 2"]

    unknown = _get(api, "/reports/summary", "supervisor", **MONTH, service="khong-co")
    assert unknown.status_code == 404
    no_end = _get(api, "/reports/summary", "supervisor", period="range", **{"from": "2026-11-01"})
    assert no_end.status_code == 400 and no_end.json["error"]["message_vi"]
    backwards = _get(
        api,
        "/reports/summary",
        "supervisor",
        period="range",
        **{"from": "2026-11-09", "to": "2026-11-01"},
    )
    assert backwards.status_code == 400


def test_xlsx_export_holds_the_figures_as_numbers(api: Api, month: Activity) -> None:
    summary = _get(api, "/reports/summary", "supervisor", **MONTH).json
    response = _get(api, "/reports/export", "supervisor", **MONTH, format="xlsx")
    assert response.status_code == 200
    assert (
        'filename="bao-cao-month-2026-11-01-2026-11-30.xlsx"'
        in response.headers["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "Tổng hợp",
        "Theo dịch vụ",
        "Theo quầy",
        "Theo cán bộ",
        "Theo trung tâm",
        "Theo ngày",
        "Giờ cao điểm",
    ]
    services = list(book["Theo dịch vụ"].iter_rows(values_only=True))
    assert services[0][:3] == ("Tên / Name", "Phiếu cấp / Issued", "Chuyển đến / Transferred in")
    total = next(row for row in services if row[0] == "Tổng / Total")
    assert total[1] == summary["totals"]["issued"]
    assert total[7] == pytest.approx(round(summary["totals"]["wait"]["mean_s"] / 60, 1))
    officers = {row[0]: row for row in book["Theo cán bộ"].iter_rows(min_row=2, values_only=True)}
    hương = next(g for g in summary["by_officer"] if g["label"] == "Nguyễn Thị Hương")
    assert officers["Nguyễn Thị Hương"][2] == hương["served"]
    heat = book["Giờ cao điểm"]
    cells = [
        c
        for row in heat.iter_rows(min_row=3, max_row=9, min_col=2, max_col=25, values_only=True)
        for c in row
    ]
    assert sum(cells) == summary["totals"]["issued"]
    assert book["Theo ngày"]._charts, "the daily sheet carries a chart"


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _blue_share(png: Path) -> float:
    """Share of pixels in the charts' dark blue: zero when no bar was drawn."""
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    near = np.abs(pixels - np.array([31, 78, 121])).max(axis=2) < 25
    return float(near.mean())


def test_pdf_export_prints_vietnamese_and_charts(
    api: Api, month: Activity, database_url: tuple[str, str | None], tmp_path: Path
) -> None:
    response = _get(api, "/reports/export", "admin", **MONTH, format="pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    # Embedded DejaVu carries every text; reportlab's drawings still name Helvetica as
    # their initial state, unembedded and unused (the pictures below show the glyphs).
    embedded = [line.split()[0] for line in fonts.splitlines()[2:] if " yes " in line]
    assert sorted(name.split("+")[1] for name in embedded) == ["DejaVuSans", "DejaVuSans-Bold"]
    text = _pdf_text(pdf)
    for words in (
        "BÁO CÁO TÌNH HÌNH PHỤC VỤ TẠI BỘ PHẬN MỘT CỬA",
        "Tháng 11/2026",
        "Giờ cao điểm",
        "Theo cán bộ",
        "Nguyễn Thị Hương",
        "Đánh giá hài lòng",
        "Trễ hạn",
    ):
        assert words in text, words
    engine = "postgres" if database_url[1] else "sqlite"
    PICTURES.mkdir(parents=True, exist_ok=True)
    for old in PICTURES.glob(f"month-{engine}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", str(pdf), str(PICTURES / f"month-{engine}")], check=True
    )
    pages = sorted(PICTURES.glob(f"month-{engine}-*.png"))
    assert len(pages) >= 3
    assert _blue_share(pages[0]) > 0.005  # the daily bars on the first page


def test_stored_reports_are_listed_and_downloaded(api: Api, month: Activity) -> None:
    made = api.call(
        "POST",
        "/reports/stored",
        "supervisor",
        json={"period": "month", "from": "2026-11-01", "format": "xlsx"},
    )
    assert made.status_code == 201, made.json
    assert made.json["filename"] == "bao-cao-month-2026-11-01-2026-11-30.xlsx"
    listed = _get(api, "/reports/stored", "supervisor").json["reports"]
    assert [r["id"] for r in listed] == [made.json["id"]]
    download = _get(api, f"/reports/stored/{made.json['id']}", "supervisor")
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.data)).sheetnames[0] == "Tổng hợp"
    assert _get(api, "/reports/stored/999", "supervisor").status_code == 404
    assert _get(api, "/reports/stored", "officer").status_code == 403


def test_the_schedule_stores_each_due_report_once(api: Api, month: Activity) -> None:
    with api.runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default").id
    # Monday 30 November 2026 is November's last working day.
    first = run_due_reports(api.runtime, site, date(2026, 11, 30))
    assert sorted((s.kind, s.format) for s in first) == [("month", "pdf"), ("month", "xlsx")]
    assert all((api.runtime.settings.data_dir / s.path).stat().st_size == s.size for s in first)
    assert run_due_reports(api.runtime, site, date(2026, 12, 1)) == []
    listed = _get(api, "/reports/stored", "admin").json["reports"]
    assert {r["created_by"] for r in listed} == {"schedule"}


def test_cli_writes_a_report_file(
    api: Api, month: Activity, database_url: tuple[str, str | None]
) -> None:
    if database_url[1]:
        pytest.skip("the CLI test reads the SQLite file of the data dir")
    data_dir = api.runtime.settings.data_dir
    out = data_dir / "thang-11.pdf"
    env = process_env(MOTCUA_DATA_DIR=str(data_dir))
    env.pop("MOTCUA_DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "queue_server.cli",
            "report",
            "--period",
            "month",
            "--from",
            "2026-11-05",
            "--format",
            "pdf",
            "--out",
            str(out),
            "--officer",
            "canbo1",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    text = _pdf_text(out)
    assert "Nguyễn Thị Hương" in text and "Tháng 11/2026" in text
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "queue_server.cli",
            "report",
            "--period",
            "range",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "lỗi:" in refused.stderr
