"""A report as an Excel workbook: one sheet per section, native charts, numbers as numbers
(so a supervisor can keep computing) and the heatmap coloured by a colour scale."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from queue_server.reports.figures import Report
from queue_server.reports.layout import (
    DIMENSION_COLUMNS,
    DIMENSION_TITLES,
    NO_DATA,
    TIME_NOTE,
    TITLE,
    WEEKDAYS,
    appointment_rows,
    dossier_status_rows,
    group_table,
    rating_rows,
    summary_lines,
    timeliness_rows,
)
from queue_server.spreadsheet import reads_as_formula

HEAD = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
DECIMAL = "0.0"


def _cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell. Names come from people (services, counters, officers): text that
    starts like a formula is stored as text, quote-prefixed, never as a formula."""
    cell = sheet.cell(row=row, column=column, value=value)
    if reads_as_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _header(sheet: Worksheet, row: int, cells: Sequence[str]) -> None:
    for column, text in enumerate(cells, start=1):
        cell = _cell(sheet, row, column, text)
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet: Worksheet, first: int, rest: int, count: int) -> None:
    sheet.column_dimensions["A"].width = first
    for column in range(2, count + 1):
        sheet.column_dimensions[get_column_letter(column)].width = rest


def _pairs(sheet: Worksheet, title: str, rows: Iterable[tuple[str, Any]], start: int) -> int:
    _cell(sheet, start, 1, title).font = Font(bold=True)
    row = start
    for row, (label, value) in enumerate(rows, start=start + 1):
        _cell(sheet, row, 1, label)
        _cell(sheet, row, 2, value)
    if row == start:
        row += 1
        sheet.cell(row=row, column=1, value=" / ".join(NO_DATA))
    return row + 2


def _summary(book: Workbook, report: Report) -> None:
    sheet = book.worksheets[0]
    sheet.title = "Tổng hợp"
    sheet["A1"] = f"{TITLE[0]} / {TITLE[1]}"
    sheet["A1"].font = Font(bold=True, size=14)
    row = _pairs(sheet, "Tổng hợp / Summary", summary_lines(report), 3)
    ratings = rating_rows(report) if report.totals.rating.total else []
    row = _pairs(sheet, "Đánh giá hài lòng / Satisfaction ratings", ratings, row)
    detailed = report.detailed_ratings
    row = _pairs(
        sheet,
        "Đánh giá hồ sơ (9 chỉ số) / Dossier ratings (nine indicators)",
        [("Số lượt / Count", detailed.count), ("Điểm đạt % / Score %", detailed.percent)]
        if detailed.count
        else [],
        row,
    )
    row = _pairs(
        sheet, "Hồ sơ theo trạng thái / Dossiers by status", dossier_status_rows(report), row
    )
    row = _pairs(sheet, "Hồ sơ: tiến độ / Dossiers: timeliness", timeliness_rows(report), row)
    _pairs(sheet, "Lịch hẹn / Appointments", appointment_rows(report), row)
    _widths(sheet, 58, 30, 2)


def _group_sheet(book: Workbook, report: Report, dimension: str) -> None:
    sheet = book.create_sheet(DIMENSION_TITLES[dimension][0])
    header, rows = group_table(report, dimension)
    _header(sheet, 1, header)
    decimals = [c.decimal for c in DIMENSION_COLUMNS[dimension]]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = _cell(sheet, r, c, value)
            if c > 1 and decimals[c - 2]:
                cell.number_format = DECIMAL
    if not rows:
        sheet.cell(row=2, column=1, value=" / ".join(NO_DATA))
    sheet.cell(row=len(rows) + 3, column=1, value=" ".join(TIME_NOTE))
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "B2"
    _widths(sheet, 34, 13, len(header))


def _daily(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet("Theo ngày")
    _header(
        sheet, 1, ["Ngày / Day", "Phiếu cấp / Issued", "Đã phục vụ / Served", "Vắng mặt / No-show"]
    )
    for r, day in enumerate(report.daily, start=2):
        for c, value in enumerate((day.day, day.issued, day.served, day.no_show), start=1):
            _cell(sheet, r, c, value)
    _widths(sheet, 14, 18, 4)
    if report.daily:
        chart = BarChart()
        chart.title = "Số lượt theo ngày / Tickets per day"
        chart.height, chart.width = 9, 24
        last = len(report.daily) + 1
        chart.add_data(
            Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        sheet.add_chart(chart, "F2")


def _heatmap(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet("Giờ cao điểm")
    sheet["A1"] = (
        f"Phiếu cấp theo thứ và giờ / Tickets issued by weekday and hour ({report.timezone})"
    )
    sheet["A1"].font = Font(bold=True)
    _header(sheet, 2, ["", *(f"{h:02d}h" for h in range(24))])
    for index, (names, counts) in enumerate(zip(WEEKDAYS, report.heatmap, strict=True)):
        sheet.cell(row=3 + index, column=1, value=f"{names[0]} / {names[1]}")
        for hour, count in enumerate(counts):
            sheet.cell(row=3 + index, column=2 + hour, value=count)
    sheet.conditional_formatting.add(
        "B3:Y9",
        ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="C0392B"),
    )
    _widths(sheet, 12, 6, 25)


def report_xlsx(report: Report) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    _summary(book, report)
    for dimension in ("service", "counter", "officer", "site"):
        _group_sheet(book, report, dimension)
    _daily(book, report)
    _heatmap(book, report)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
