"""The quarter report and what a supervisor reads on any report: the period's due day,
the time it was made as the centre's clocks said it, 9 pt chart text, and impossible
periods refused in words by the API and the CLI. The PDF's first page is rendered to
tests/artifacts/reports/quarter-*.png to be looked at."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from clocks import process_env
from live_server import ROOT
from openpyxl import load_workbook
from report_activity import Activity, generate_activity
from reportlab.graphics.shapes import Drawing, String, UserNode
from reportlab.lib import colors
from server_fixtures import Api

from queue_server.reports.build import ReportRequest, build_report
from queue_server.reports.charts import count_chart, heatmap_chart, times_chart, volume_chart
from queue_server.reports.periods import PeriodKind, period_for

PICTURES = Path(__file__).resolve().parents[1] / "artifacts" / "reports"
QUARTER = {"period": "quarter", "from": "2026-11-05"}
#: 19:32 UTC on 1 December is 02:32 on 2 December in Hà Nội.
LATE_NIGHT = datetime(2026, 12, 1, 19, 32, tzinfo=UTC)


@pytest.fixture
def november(api: Api, clock: Any) -> Activity:
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    activity = generate_activity(
        api.runtime, date(2026, 11, 1), date(2026, 11, 30), per_service_day=4, dossier_count=30
    )
    clock.now = LATE_NIGHT
    return activity


def _get(api: Api, path: str, **query: Any) -> Any:
    return api.call("GET", path, "supervisor", query_string=query)


def test_the_quarter_report_runs_from_15_september_and_names_its_due_day(
    api: Api, november: Activity
) -> None:
    quarter = _get(api, "/reports/summary", **QUARTER)
    assert quarter.status_code == 200, quarter.json
    period = quarter.json["period"]
    assert (period["from"], period["to"]) == ("2026-09-15", "2026-12-14")
    assert (period["label_vi"], period["label_en"]) == ("Quý IV năm 2026", "Q4 2026")
    assert period["due"] == "2026-12-14"  # a Monday
    month = _get(api, "/reports/summary", period="month", **{"from": "2026-11-05"}).json
    assert month["period"]["due"] == "2026-11-30"
    # All the activity is in November, inside the quarter.
    assert quarter.json["totals"]["issued"] == month["totals"]["issued"] > 0
    assert quarter.json["generated_at"] == "2026-12-02T02:32:00+07:00"
    assert quarter.json["timezone"] == "Asia/Ho_Chi_Minh"


def test_exports_say_when_they_were_made_in_the_centre_s_time(
    api: Api, november: Activity, database_url: tuple[str, str | None], tmp_path: Path
) -> None:
    workbook = _get(api, "/reports/export", **QUARTER, format="xlsx")
    sheet = load_workbook(io.BytesIO(workbook.data))["Tổng hợp"]
    summary = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert summary["Lập lúc / Generated at"] == (
        "02/12/2026 02:32 (UTC+07:00, Asia/Ho_Chi_Minh)"
    )
    assert summary["Kỳ báo cáo / Period"] == "Quý IV năm 2026 (Q4 2026)"
    assert summary["Hạn báo cáo / Report due"] == "14/12/2026"

    pdf = tmp_path / "quarter.pdf"
    pdf.write_bytes(_get(api, "/reports/export", **QUARTER, format="pdf").data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "02/12/2026 02:32" in text and "19:32" not in text
    assert "Quý IV năm 2026" in text and "Hạn báo cáo / Report due" in text
    engine = "postgres" if database_url[1] else "sqlite"
    PICTURES.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "2", str(pdf),
         str(PICTURES / f"quarter-{engine}")],
        check=True,
    )
    assert len(list(PICTURES.glob(f"quarter-{engine}-*.png"))) == 2


def _texts(node: Any) -> Iterator[String]:
    """Every string a drawing prints, chart axes, legends and values included."""
    if isinstance(node, UserNode):
        node = node.provideNode()
    if isinstance(node, String):
        yield node
        return
    for child in getattr(node, "contents", []):
        yield from _texts(child)


def test_every_chart_text_is_at_least_9_points(api: Api, november: Activity) -> None:
    with api.runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        report = build_report(
            uow, site, ReportRequest(period_for(PeriodKind.MONTH, date(2026, 11, 1))), LATE_NIGHT
        )
    charts: list[Drawing] = [
        volume_chart(report, 390),
        heatmap_chart(report, 800),
        times_chart(report, 800),
        count_chart("Đánh giá", [("Rất hài lòng / Very satisfied", 9)], [colors.green], 390),
    ]
    sizes = {round(s.fontSize, 1) for chart in charts for s in _texts(chart) if s.text.strip()}
    assert sizes and min(sizes) >= 9, sizes
    labels = {s.text for chart in charts for s in _texts(chart)}
    assert {"T2 / Mon", "30/11", "8h"} <= labels


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"period": "range", "from": "2026-11-09", "to": "2026-11-01"}, "trước ngày bắt đầu"),
        ({"period": "range", "from": "2020-01-01", "to": "2026-01-01"}, "tối đa 800 ngày"),
        ({"period": "range", "from": "2026-11-09"}, "cần có từ ngày và đến ngày"),
    ],
)
def test_an_impossible_period_is_refused_in_words(
    api: Api, november: Activity, query: dict[str, str], words: str
) -> None:
    for path in ("/reports/summary", "/reports/export"):
        refused = _get(api, path, **query)
        assert refused.status_code == 400
        error = refused.json["error"]
        assert error["code"] == "invalid_period" and words in error["message_vi"]
        assert error["message"]
    stored = api.call("POST", "/reports/stored", "supervisor", json={**query, "format": "pdf"})
    assert stored.status_code == 400 and words in stored.json["error"]["message_vi"]


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = process_env(MOTCUA_DATA_DIR=str(data_dir))
    env.pop("MOTCUA_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "report", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_the_cli_writes_a_quarter_and_refuses_impossible_periods_in_words(
    api: Api, november: Activity, database_url: tuple[str, str | None]
) -> None:
    if database_url[1]:
        pytest.skip("the CLI reads the SQLite file of the data dir")
    data_dir = api.runtime.settings.data_dir
    out = data_dir / "quy-4.xlsx"
    written = _cli(data_dir, "--period", "quarter", "--from", "2026-11-05", "--out", str(out))
    assert written.returncode == 0, written.stderr
    summary = {
        row[0]: row[1]
        for row in load_workbook(out)["Tổng hợp"].iter_rows(values_only=True)
        if row[0]
    }
    assert summary["Từ ngày – đến ngày / From – to"] == "15/09/2026 – 14/12/2026"
    for args, words in (
        (("--period", "range", "--from", "2026-11-09", "--to", "2026-11-01"),
         "lỗi: Ngày kết thúc (01/11/2026) trước ngày bắt đầu (09/11/2026)."),
        (("--period", "quarter", "--from", "2026-02-30"), "không phải là ngày"),
        (("--period", "range", "--from", "2026-11-09"), "cần có từ ngày và đến ngày"),
    ):
        refused = _cli(data_dir, *args, "--out", str(out))
        assert refused.returncode == 2, refused.stderr
        assert words in refused.stderr and "error: " in refused.stderr
        assert "Traceback" not in refused.stderr
