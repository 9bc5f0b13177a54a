"""A report as a printable PDF (A4 landscape): summary, charts, then the tables.

Every text is set in DejaVu Sans, embedded, so Vietnamese prints with its marks on
any machine; the charts are vector drawings, not pictures.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from queue_server.reports.charts import (
    BOLD,
    FONT,
    RATING_COLOURS,
    TIMELINESS_COLOURS,
    count_chart,
    heatmap_chart,
    register_fonts,
    times_chart,
    volume_chart,
)
from queue_server.reports.figures import Report
from queue_server.reports.layout import (
    DIMENSION_TITLES,
    NO_DATA,
    TIME_NOTE,
    TITLE,
    appointment_rows,
    decimal_text,
    dossier_status_rows,
    group_table,
    rating_rows,
    summary_lines,
    timeliness_rows,
)

PAGE = landscape(A4)
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=10, leading=13),
        "h2": ParagraphStyle(
            "h2", fontName=BOLD, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4
        ),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=8.5),
        "value": ParagraphStyle("value", fontName=FONT, fontSize=7.5, leading=9, alignment=2),
        "head": ParagraphStyle(
            "head", fontName=BOLD, fontSize=6.2, leading=7.6, textColor=colors.white
        ),
        "note": ParagraphStyle(
            "note", fontName=FONT, fontSize=7.5, leading=9, textColor=colors.grey
        ),
    }


def _table(
    rows: list[list[Any]], widths: list[float], header: bool = True, total: bool = False
) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#BBBBBB")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F6FA")]),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F4E79")))
    if total:
        style.append(("FONTNAME", (0, -1), (-1, -1), BOLD))
    table.setStyle(TableStyle(style))
    return table


def _no_data(styles: dict[str, ParagraphStyle]) -> Flowable:
    return Paragraph(" / ".join(NO_DATA), styles["note"])


def _pairs(
    rows: list[tuple[str, Any]], styles: dict[str, ParagraphStyle], width: float
) -> Flowable:
    if not rows:
        return _no_data(styles)
    cells = [
        [Paragraph(escape(label), styles["cell"]), Paragraph(decimal_text(value), styles["value"])]
        for label, value in rows
    ]
    return _table(cells, [width * 0.6, width * 0.4], header=False)


def _group_section(
    report: Report, dimension: str, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    header, rows = group_table(report, dimension)
    title = Paragraph(" / ".join(DIMENSION_TITLES[dimension]), styles["h2"])
    if not rows:
        return [title, _no_data(styles)]
    cells: list[list[Any]] = [[Paragraph(h, styles["head"]) for h in header]]
    cells += [
        [Paragraph(escape(str(row[0])), styles["cell"]), *(decimal_text(v) for v in row[1:])]
        for row in rows
    ]
    first = 36 * mm
    rest = (WIDTH - first) / (len(header) - 1)
    table = _table(
        cells, [first, *[rest] * (len(header) - 1)], total=dimension in ("site", "service")
    )
    return [
        CondPageBreak(40 * mm),
        title,
        table,
        Spacer(1, 2),
        Paragraph(" ".join(TIME_NOTE), styles["note"]),
    ]


def report_pdf(report: Report) -> bytes:
    """The PDF's bytes."""
    register_fonts()
    styles = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{TITLE[0]} – {report.period.label_vi}",
        author="motcua",
        initialFontName=FONT,
    )
    half = WIDTH / 2 - 4 * mm
    active = report.totals.counts.issued + report.totals.counts.transferred_in > 0
    volume = volume_chart(report, half) if active else _no_data(styles)
    heatmap = heatmap_chart(report, WIDTH) if active else _no_data(styles)
    times = times_chart(report, WIDTH) if report.groups["service"] else _no_data(styles)
    story: list[Flowable] = [
        Paragraph(TITLE[0], styles["title"]),
        Paragraph(
            f"{TITLE[1]} · {escape(report.site_name)} · "
            f"{report.period.label_vi} ({report.period.label_en})",
            styles["subtitle"],
        ),
        Spacer(1, 6),
        Table(
            [[_pairs(summary_lines(report), styles, half), volume]],
            colWidths=[half + 8 * mm, half],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
        ),
        Spacer(1, 6),
        KeepTogether([heatmap]),
        CondPageBreak(70 * mm),
        times,
        Spacer(1, 8),
    ]
    ratings = rating_rows(report) if report.totals.rating.total else []
    detailed = report.detailed_ratings
    rating_block: list[Flowable] = [
        Paragraph("Đánh giá hài lòng / Satisfaction ratings", styles["h2"])
    ]
    if ratings:
        rating_block.append(
            count_chart("Lượt đánh giá theo mức / Ratings by level", ratings, RATING_COLOURS, half)
        )
    else:
        rating_block.append(_no_data(styles))
    if detailed.count:
        rating_block.append(Spacer(1, 12))
        rating_block.append(
            Paragraph(
                f"Đánh giá hồ sơ theo 9 chỉ số / Dossier ratings (nine indicators): "
                f"{detailed.count} lượt, đạt {decimal_text(detailed.percent)}%",
                styles["subtitle"],
            )
        )
    dossier_block: list[Flowable] = [Paragraph("Hồ sơ / Dossiers", styles["h2"])]
    statuses = dossier_status_rows(report)
    timeliness = timeliness_rows(report)
    if statuses or any(count for _, count in timeliness):
        dossier_block += [
            count_chart("Tiến độ giải quyết / Timeliness", timeliness, TIMELINESS_COLOURS, half),
            Spacer(1, 14),
            _pairs(
                [
                    ("Tiếp nhận trong kỳ / Received in the period", report.dossiers.received),
                    *statuses,
                ],
                styles,
                half,
            ),
        ]
    else:
        dossier_block.append(_no_data(styles))
    story += [
        CondPageBreak(80 * mm),
        Table(
            [[rating_block, dossier_block]],
            colWidths=[half + 8 * mm, half],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
        ),
    ]
    appointments = appointment_rows(report)
    if appointments:
        story += [
            Spacer(1, 8),
            Paragraph("Lịch hẹn / Appointments", styles["h2"]),
            _pairs(appointments, styles, half),
        ]
    for dimension in ("service", "counter", "officer", "site"):
        story += _group_section(report, dimension, styles)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.setFont(FONT, 7)
        canvas.drawRightString(
            PAGE[0] - MARGIN, 6 * mm, f"Trang {doc.page} / Page {doc.page} · motcua"
        )

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
