"""What every rendering of a report shows: section titles, columns and cell values,
Vietnamese first with English, so the XLSX, the PDF and the web page agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from device_kit.contract.rating_levels import QuickLevel
from queue_server.dossiers.calendar import Timeliness
from queue_server.dossiers.status import DossierStatus
from queue_server.reports.figures import DurationStats, GroupFigures, Report

NO_DATA = ("Không có dữ liệu", "No data")
WEEKDAYS = (
    ("T2", "Mon"),
    ("T3", "Tue"),
    ("T4", "Wed"),
    ("T5", "Thu"),
    ("T6", "Fri"),
    ("T7", "Sat"),
    ("CN", "Sun"),
)
DIMENSION_TITLES = {
    "service": ("Theo dịch vụ", "By service"),
    "counter": ("Theo quầy", "By counter"),
    "officer": ("Theo cán bộ", "By officer"),
    "site": ("Theo trung tâm", "By site"),
}
TITLE = ("BÁO CÁO TÌNH HÌNH PHỤC VỤ TẠI BỘ PHẬN MỘT CỬA", "One-stop service report")


def _minutes(stats: Callable[[GroupFigures], DurationStats], field: str) -> Any:
    def value(group: GroupFigures) -> float | None:
        seconds = getattr(stats(group), field)
        return None if seconds is None else round(seconds / 60, 1)

    return value


@dataclass(frozen=True)
class Column:
    key: str
    label_vi: str
    label_en: str
    value: Callable[[GroupFigures], Any]
    #: Minutes or percentages (one decimal) rather than counts.
    decimal: bool = False


def _count(name: str) -> Callable[[GroupFigures], int]:
    return lambda g: getattr(g.counts, name)


def _satisfied(group: GroupFigures) -> float | None:
    share = group.rating.satisfied_percent
    return None if share is None else round(share, 1)


_COLUMNS = {
    c.key: c
    for c in (
        Column("issued", "Phiếu cấp", "Issued", _count("issued")),
        Column("transferred_in", "Chuyển đến", "Transferred in", _count("transferred_in")),
        Column("called", "Đã gọi", "Called", _count("called")),
        Column("served", "Đã phục vụ", "Served", _count("served")),
        Column("no_show", "Vắng mặt", "No-show", _count("no_show")),
        Column("transferred", "Chuyển đi", "Transferred", _count("transferred")),
        Column("cancelled", "Đã hủy", "Cancelled", _count("cancelled")),
        Column("wait_mean", "Chờ TB", "Wait mean", _minutes(lambda g: g.wait, "mean_s"), True),
        Column(
            "wait_median",
            "Chờ trung vị",
            "Wait median",
            _minutes(lambda g: g.wait, "median_s"),
            True,
        ),
        Column("wait_p90", "Chờ P90", "Wait p90", _minutes(lambda g: g.wait, "p90_s"), True),
        Column(
            "service_mean",
            "Phục vụ TB",
            "Service mean",
            _minutes(lambda g: g.service, "mean_s"),
            True,
        ),
        Column(
            "service_median",
            "Phục vụ trung vị",
            "Service median",
            _minutes(lambda g: g.service, "median_s"),
            True,
        ),
        Column(
            "service_p90",
            "Phục vụ P90",
            "Service p90",
            _minutes(lambda g: g.service, "p90_s"),
            True,
        ),
        Column("ratings", "Lượt đánh giá", "Ratings", lambda g: g.rating.total),
        Column("satisfied", "Hài lòng %", "Satisfied %", _satisfied, True),
    )
}
_TIMES = ("wait_mean", "wait_median", "wait_p90", "service_mean", "service_median", "service_p90")
_HALL = ("issued", "transferred_in", "served", "no_show", "transferred", "cancelled")
_DESK = ("called", "served", "no_show", "transferred")
DIMENSION_COLUMNS: dict[str, tuple[Column, ...]] = {
    dimension: tuple(_COLUMNS[k] for k in (*keys, *_TIMES, "ratings", "satisfied"))
    for dimension, keys in (
        ("site", _HALL),
        ("service", _HALL),
        ("counter", _DESK),
        ("officer", _DESK),
    )
}
TIME_NOTE = (
    "Thời gian tính bằng phút; P90: 90% số lượt không vượt quá.",
    "Times in minutes; p90: 90% of entries took no longer.",
)


def group_table(report: Report, dimension: str) -> tuple[list[str], list[list[Any]]]:
    """Header (Vietnamese / English) and rows for one dimension, the totals row last."""
    columns = DIMENSION_COLUMNS[dimension]
    header = ["Tên / Name", *(f"{c.label_vi} / {c.label_en}" for c in columns)]
    rows = [[g.label, *(c.value(g) for c in columns)] for g in report.groups[dimension]]
    if rows and dimension in ("site", "service"):
        rows.append(["Tổng / Total", *(c.value(report.totals) for c in columns)])
    return header, rows


def summary_lines(report: Report) -> list[tuple[str, Any]]:
    """The headline figures, label then value."""
    t = report.totals
    rows: list[tuple[str, Any]] = [
        ("Trung tâm / Centre", report.site_name),
        ("Kỳ báo cáo / Period", f"{report.period.label_vi} ({report.period.label_en})"),
        (
            "Từ ngày – đến ngày / From – to",
            f"{report.period.start:%d/%m/%Y} – {report.period.end:%d/%m/%Y}",
        ),
    ]
    if report.due is not None:
        rows.append(("Hạn báo cáo / Report due", f"{report.due:%d/%m/%Y}"))
    rows += [(f"Lọc theo / Filter: {name}", value) for name, value in report.filters.items()]
    rows += [
        ("Lập lúc / Generated at", local_time_text(report)),
        ("Số phiếu cấp / Tickets issued", t.counts.issued),
        ("Đã phục vụ / Served", t.counts.served),
        ("Vắng mặt / No-show", t.counts.no_show),
        ("Chuyển dịch vụ / Transferred", t.counts.transferred),
        ("Thời gian chờ TB (phút) / Mean wait (min)", _COLUMNS["wait_mean"].value(t)),
        ("Thời gian chờ P90 (phút) / Wait p90 (min)", _COLUMNS["wait_p90"].value(t)),
        ("Thời gian phục vụ TB (phút) / Mean service (min)", _COLUMNS["service_mean"].value(t)),
        ("Lượt tạm chờ / Parked", t.counts.parked),
        (
            "Thời gian tạm chờ TB (phút) / Mean time parked (min)",
            _minutes(lambda g: g.parked_time, "mean_s")(t),
        ),
        ("Tỷ lệ hài lòng (%) / Satisfied (%)", _satisfied(t)),
    ]
    return rows


def local_time_text(report: Report) -> str:
    """When the report was made, as the centre's clocks said, with the zone named."""
    local = report.generated_local
    offset = local.strftime("%z")
    return f"{local:%d/%m/%Y %H:%M} (UTC{offset[:3]}:{offset[3:]}, {report.timezone})"


def rating_rows(report: Report) -> list[tuple[str, int]]:
    levels = report.totals.rating.levels
    return [(f"{q.label_vi} / {q.label_en}", levels.get(q.value, 0)) for q in QuickLevel]


def dossier_status_rows(report: Report) -> list[tuple[str, int]]:
    by_status = report.dossiers.by_status
    return [
        (f"{s.value}. {s.label_vi} / {s.label_en}", by_status.get(s.value, 0))
        for s in DossierStatus
        if by_status.get(s.value)
    ]


def timeliness_rows(report: Report) -> list[tuple[str, int]]:
    tally = report.dossiers.timeliness
    rows = [(f"{t.label_vi} / {t.label_en}", tally.get(t.name, 0)) for t in Timeliness]
    rows.append(("Quá hạn, chưa xong / Overdue, not finished", report.dossiers.overdue_open))
    return rows


def appointment_rows(report: Report) -> list[tuple[str, Any]]:
    """What became of the period's bookings (``đặt lịch hẹn``); none when nobody booked."""
    a = report.appointments
    if not a.booked:
        return []
    wait = a.wait_from_slot
    return [
        ("Lượt đặt lịch / Bookings", a.booked),
        ("Đã đến nhận số / Checked in", a.checked_in),
        ("Đã hủy / Cancelled", a.cancelled),
        ("Không đến / No-show", a.no_show),
        (
            "Chờ TB từ giờ hẹn (phút) / Mean wait from slot (min)",
            None if wait.mean_s is None else round(wait.mean_s / 60, 1),
        ),
        (
            "Chờ P90 từ giờ hẹn (phút) / Wait p90 from slot (min)",
            None if wait.p90_s is None else round(wait.p90_s / 60, 1),
        ),
    ]


def decimal_text(value: Any) -> str:
    """Numbers as Vietnamese write them: ``12,5``; nothing as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def columns_json() -> dict[str, list[dict[str, Any]]]:
    """The columns each dimension shows, for the web page to lay out its tables."""
    return {
        dimension: [
            {"key": c.key, "label_vi": c.label_vi, "label_en": c.label_en, "decimal": c.decimal}
            for c in columns
        ]
        for dimension, columns in DIMENSION_COLUMNS.items()
    }


def row_json(group: GroupFigures, dimension: str) -> dict[str, Any]:
    return {c.key: c.value(group) for c in DIMENSION_COLUMNS[dimension]}
