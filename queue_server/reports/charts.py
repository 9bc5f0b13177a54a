"""Charts for the PDF, drawn with reportlab.graphics in a font that has Vietnamese glyphs.

Every word and number on a chart is at least ``LABEL_PT`` (9 pt), so a printed A4 page
reads without a magnifier; the charts make room for that rather than shrinking text."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from queue_server.reports.figures import Report
from queue_server.reports.layout import WEEKDAYS

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
BLUE = colors.HexColor("#1F4E79")
GREEN = colors.HexColor("#2E8B57")
ORANGE = colors.HexColor("#E67E22")
RED = colors.HexColor("#C0392B")
GREY = colors.HexColor("#7F8C8D")
#: Past this many days the volume chart shows months instead.
DAILY_BARS_MAX = 62
#: The smallest text on a chart (axis labels, legends, values), in points.
LABEL_PT = 9.0
TITLE_PT = 10.5


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """DejaVu Sans covers Vietnamese; the PDF core fonts do not."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _title(drawing: Drawing, text: str) -> None:
    drawing.add(String(0, drawing.height - 12, text, fontName=BOLD, fontSize=TITLE_PT))


def _legend(drawing: Drawing, x: float, y: float, items: list[tuple[colors.Color, str]]) -> None:
    legend = Legend()
    legend.x, legend.y = x, y  # type: ignore[assignment]
    legend.fontName, legend.fontSize = FONT, LABEL_PT
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 150
    legend.colorNamePairs = items
    drawing.add(legend)


def _style_axes(chart: VerticalBarChart | HorizontalBarChart) -> None:
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = LABEL_PT
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = LABEL_PT
    chart.valueAxis.valueMin = 0


def volume_chart(report: Report, width: float) -> Drawing:
    """Issued and served per day, or per month over a long period."""
    buckets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    monthly = len(report.daily) > DAILY_BARS_MAX
    for day in report.daily:
        key = f"{day.day[5:7]}/{day.day[:4]}" if monthly else f"{day.day[8:10]}/{day.day[5:7]}"
        buckets[key][0] += day.issued
        buckets[key][1] += day.served
    drawing = Drawing(width, 210)
    _title(drawing, "Số lượt theo " + ("tháng / per month" if monthly else "ngày / per day"))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 38, 48, width - 48, 125  # type: ignore[assignment]
    chart.data = [[v[0] for v in buckets.values()] or [0], [v[1] for v in buckets.values()] or [0]]
    chart.categoryAxis.categoryNames = list(buckets) or ["–"]
    crowded = len(buckets) > 12  # upright 9 pt labels overlap: turn them on end
    chart.categoryAxis.labels.angle = 90 if crowded else 0
    chart.categoryAxis.labels.boxAnchor = "e" if crowded else "n"
    chart.bars[0].fillColor, chart.bars[1].fillColor = BLUE, GREEN
    chart.barSpacing, chart.groupSpacing = 0, 2
    _style_axes(chart)
    drawing.add(chart)
    _legend(
        drawing,
        width - 300,
        drawing.height - 24,
        [(BLUE, "Phiếu cấp / Issued"), (GREEN, "Đã phục vụ / Served")],
    )
    return drawing


def _open_hours(heatmap: list[list[int]]) -> range:
    """The hours worth drawing: those with tickets, and at least office hours."""
    busy = [hour for hour in range(24) if any(day[hour] for day in heatmap)]
    return range(min([7, *busy]), max([17, *busy]) + 1)


def heatmap_chart(report: Report, width: float) -> Drawing:
    """Issued tickets by weekday and hour, darker where busier."""
    hours = _open_hours(report.heatmap)
    left, bottom, cell_h = 62, 20, 18
    cell_w = (width - left) / len(hours)
    drawing = Drawing(width, bottom + 7 * cell_h + 30)
    _title(
        drawing, "Giờ cao điểm (phiếu cấp theo thứ × giờ) / Peak hours (issued by weekday × hour)"
    )
    peak = max((max(row) for row in report.heatmap), default=0) or 1
    for index, (names, counts) in enumerate(zip(WEEKDAYS, report.heatmap, strict=True)):
        y = bottom + (6 - index) * cell_h
        drawing.add(
            String(0, y + 5, f"{names[0]} / {names[1]}", fontName=FONT, fontSize=LABEL_PT)
        )
        for column, hour in enumerate(hours):
            count, share = counts[hour], counts[hour] / peak
            x = left + column * cell_w
            fill = colors.Color(1 - 0.25 * share, 1 - 0.8 * share, 1 - 0.85 * share)
            drawing.add(Rect(x, y, cell_w - 1, cell_h - 1, fillColor=fill, strokeColor=None))  # type: ignore[arg-type]
            if count:
                ink = colors.white if share > 0.6 else colors.black
                drawing.add(
                    String(
                        x + cell_w / 2,
                        y + 5,
                        str(count),
                        fontName=FONT,
                        fontSize=LABEL_PT,
                        textAnchor="middle",
                        fillColor=ink,
                    )
                )
    for column, hour in enumerate(hours):
        drawing.add(
            String(
                left + column * cell_w + cell_w / 2,
                6,
                f"{hour}h",
                fontName=FONT,
                fontSize=LABEL_PT,
                textAnchor="middle",
            )
        )
    return drawing


def times_chart(report: Report, width: float) -> Drawing:
    """Wait (mean, p90) and service time (mean) per service, in minutes."""
    services = report.groups["service"]
    height = 55 + 33 * max(len(services), 1)  # three bars, each tall enough for its value
    drawing = Drawing(width, height)
    _title(
        drawing,
        "Thời gian chờ và phục vụ theo dịch vụ (phút) / Wait and service time by service (min)",
    )
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 165, 18, width - 200, height - 55  # type: ignore[assignment]
    minutes = [
        [round((g.wait.mean_s or 0) / 60, 1) for g in services] or [0],
        [round((g.wait.p90_s or 0) / 60, 1) for g in services] or [0],
        [round((g.service.mean_s or 0) / 60, 1) for g in services] or [0],
    ]
    chart.data = minutes
    chart.categoryAxis.categoryNames = [g.label[:28] for g in services] or ["–"]
    for index, color in enumerate((BLUE, RED, GREEN)):
        chart.bars[index].fillColor = color
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName, chart.barLabels.fontSize = FONT, LABEL_PT
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    _style_axes(chart)
    drawing.add(chart)
    _legend(
        drawing,
        width - 450,
        height - 24,
        [
            (BLUE, "Chờ TB / Wait mean"),
            (RED, "Chờ P90 / Wait p90"),
            (GREEN, "Phục vụ TB / Service mean"),
        ],
    )
    return drawing


def count_chart(
    title: str, rows: list[tuple[str, int]], palette: list[colors.Color], width: float
) -> Drawing:
    """One bar per labelled count (ratings by level, dossiers by timeliness)."""
    height = 45 + 24 * max(len(rows), 1)
    drawing = Drawing(width, height)
    _title(drawing, title)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 215, 12, width - 250, height - 35  # type: ignore[assignment]
    chart.data = [[count for _, count in reversed(rows)] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _ in reversed(rows)] or ["–"]
    for index, _ in enumerate(rows):
        chart.bars[(0, len(rows) - 1 - index)].fillColor = palette[index % len(palette)]
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize = FONT, LABEL_PT
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    _style_axes(chart)
    drawing.add(chart)
    return drawing


RATING_COLOURS = [GREEN, BLUE, ORANGE, RED]
TIMELINESS_COLOURS = [GREEN, BLUE, RED, GREY]
