"""Exports of a period without any activity: every section says "no data" instead of
failing or showing zeros as if they were measurements."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook

from queue_server.reports.figures import (
    DetailedRatingFigures,
    DossierFigures,
    GroupFigures,
    Report,
)
from queue_server.reports.pdf import report_pdf
from queue_server.reports.periods import PeriodKind, ReportPeriod
from queue_server.reports.xlsx import report_xlsx


def _empty_report() -> Report:
    return Report(
        site_name="Bộ phận Một cửa xã Tân Hòa",
        period=ReportPeriod(PeriodKind.DAY, date(2026, 11, 28), date(2026, 11, 28)),
        filters={},
        generated_at=datetime(2026, 11, 28, 10, tzinfo=UTC),
        totals=GroupFigures(None, "Tổng / Total"),
        groups={"site": [], "service": [], "counter": [], "officer": []},
        daily=[],
        heatmap=[[0] * 24 for _ in range(7)],
        detailed_ratings=DetailedRatingFigures(),
        dossiers=DossierFigures(),
    )


def test_an_empty_day_prints_no_data_in_both_languages(tmp_path: Path) -> None:
    pdf = tmp_path / "empty.pdf"
    pdf.write_bytes(report_pdf(_empty_report()))
    shots = Path(__file__).resolve().parents[1] / "artifacts" / "reports"
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(shots / "empty")],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Bộ phận Một cửa xã Tân Hòa" in text and "Ngày 28/11/2026" in text
    assert text.count("Không có dữ liệu / No data") >= 6  # ratings, dossiers, 4 tables


def test_an_empty_day_gives_a_workbook_without_invented_figures() -> None:
    book = load_workbook(io.BytesIO(report_xlsx(_empty_report())))
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(values_only=True) if row[0]}
    assert summary["Số phiếu cấp / Tickets issued"] == 0
    assert summary["Thời gian chờ TB (phút) / Mean wait (min)"] is None
    assert summary["Tỷ lệ hài lòng (%) / Satisfied (%)"] is None
    assert "Không có dữ liệu / No data" in summary
    services = list(book["Theo dịch vụ"].iter_rows(values_only=True))
    assert services[1][0] == "Không có dữ liệu / No data"
