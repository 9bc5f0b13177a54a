"""Report figures and the pure arithmetic behind them.

The database hands over aggregates, not tickets: counts per (site, service, counter,
officer), and durations as histograms of whole seconds per group. Everything a
report shows is computed here from those, so it is tested without a database and
memory stays bounded however many tickets a year holds.

Definitions (one ticket row is one *entry*; a transfer closes an entry and opens a
new one in the target service):
- issued: entries that began with a new ticket (not a transfer);
- transferred in: entries opened by a transfer; transferred: entries closed by one;
- served: entries finished (``done``); no-show, cancelled: as their state says;
- wait: from issue (for a transferred-in entry, from the transfer) to the last call
  (calling a parked visitor back is no call: their wait ended before they stepped away);
- service time: from the start of service (or the call) to the finish, served entries,
  less the time parked;
- parked: entries a counter parked at least once (the visitor stepped away to photocopy
  a paper, pay a fee, fill in a form); time parked: the time away, over the entries
  whose parks ended (one still parked when the day ended counts as parked, without a
  time: it stays parked, like a ticket left waiting, and is never counted as served).
Median and p90 interpolate linearly between the nearest ranks (``statistics.quantiles``
with ``method="inclusive"``), to the second.
"""

from __future__ import annotations

from collections import Counter as Histogram
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from device_kit.contract.rating_levels import QuickLevel
from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.reports.periods import ReportPeriod

DIMENSIONS = ("site", "service", "counter", "officer")
SATISFIED = (QuickLevel.VERY_SATISFIED.value, QuickLevel.SATISFIED.value)


@dataclass
class Counts:
    issued: int = 0
    transferred_in: int = 0
    called: int = 0
    served: int = 0
    no_show: int = 0
    transferred: int = 0
    cancelled: int = 0
    parked: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class AppointmentFigures:
    """Bookings of the period's days by what became of them, and the wait of the
    checked-in ones from the slot's start to the call (none before the slot began)."""

    booked: int = 0
    checked_in: int = 0
    cancelled: int = 0
    no_show: int = 0
    wait_from_slot: DurationStats = field(default_factory=lambda: DurationStats())


@dataclass(frozen=True)
class DurationStats:
    count: int = 0
    mean_s: float | None = None
    median_s: float | None = None
    p90_s: float | None = None


def _order_statistic(ordered: list[tuple[int, int]], rank: int) -> int:
    """The ``rank``-th smallest value (0-based) of a sorted (value, count) histogram."""
    seen = 0
    for value, count in ordered:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)


def quantile(ordered: list[tuple[int, int]], total: int, q: float) -> float:
    position = (total - 1) * q
    low = int(position)
    below = _order_statistic(ordered, low)
    if low + 1 >= total:
        return float(below)
    above = _order_statistic(ordered, low + 1)
    return below + (above - below) * (position - low)


def duration_stats(histogram: Mapping[int, int]) -> DurationStats:
    """Mean, median and p90 of durations given as ``{seconds: how many}``."""
    ordered = sorted((v, c) for v, c in histogram.items() if c > 0)
    total = sum(c for _, c in ordered)
    if total == 0:
        return DurationStats()
    return DurationStats(
        count=total,
        mean_s=sum(v * c for v, c in ordered) / total,
        median_s=quantile(ordered, total, 0.5),
        p90_s=quantile(ordered, total, 0.9),
    )


@dataclass
class RatingFigures:
    levels: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.levels.values())

    @property
    def satisfied_percent(self) -> float | None:
        """Share of "very satisfied" and "satisfied" among the ratings, or None without any."""
        if not self.total:
            return None
        return 100.0 * sum(self.levels.get(level, 0) for level in SATISFIED) / self.total

    def add(self, level: str, count: int) -> None:
        self.levels[level] = self.levels.get(level, 0) + count


@dataclass
class GroupFigures:
    key: int | None
    label: str
    counts: Counts = field(default_factory=Counts)
    wait: DurationStats = field(default_factory=DurationStats)
    service: DurationStats = field(default_factory=DurationStats)
    parked_time: DurationStats = field(default_factory=DurationStats)
    rating: RatingFigures = field(default_factory=RatingFigures)


@dataclass(frozen=True)
class GroupRow:
    """One aggregate row from the database: the finest grouping the report needs."""

    site: int
    service: int
    counter: int | None
    officer: int | None
    counts: Counts


@dataclass
class DayFigures:
    day: str
    issued: int = 0
    served: int = 0
    no_show: int = 0


@dataclass
class DossierFigures:
    by_status: dict[int, int] = field(default_factory=dict)
    #: Finished in the period: Trước hạn / Đúng hạn / Trễ hạn, keyed by Timeliness name.
    timeliness: dict[str, int] = field(default_factory=dict)
    #: Not finished and past due at the end of the period.
    overdue_open: int = 0
    received: int = 0


@dataclass
class DetailedRatingFigures:
    count: int = 0
    total: int = 0
    maximum: int = 0

    @property
    def percent(self) -> float | None:
        return 100.0 * self.total / self.maximum if self.maximum else None


@dataclass
class Report:
    site_name: str
    period: ReportPeriod
    filters: dict[str, str]
    #: When the report was made, in the site's zone (``timezone``): what its clocks said.
    generated_at: datetime
    totals: GroupFigures
    groups: dict[str, list[GroupFigures]]
    daily: list[DayFigures]
    #: Issued tickets by local weekday (Monday first) and hour: 7 rows of 24.
    heatmap: list[list[int]]
    detailed_ratings: DetailedRatingFigures
    dossiers: DossierFigures
    timezone: str = DEFAULT_ZONE
    appointments: AppointmentFigures = field(default_factory=AppointmentFigures)
    #: The day the regulation wants this report (None for a day or a range).
    due: date | None = None

    @property
    def generated_local(self) -> datetime:
        return self.generated_at.astimezone(ZoneInfo(self.timezone))

    def to_dict(self) -> dict[str, Any]:
        def group(g: GroupFigures) -> dict[str, Any]:
            return {
                "key": g.key,
                "label": g.label,
                **asdict(g.counts),
                "wait": asdict(g.wait),
                "service": asdict(g.service),
                "parked_time": asdict(g.parked_time),
                "rating": {
                    "total": g.rating.total,
                    "levels": g.rating.levels,
                    "satisfied_percent": g.rating.satisfied_percent,
                },
            }

        return {
            "site": self.site_name,
            "period": {
                "kind": self.period.kind.value,
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "label_vi": self.period.label_vi,
                "label_en": self.period.label_en,
                "due": self.due.isoformat() if self.due else None,
            },
            "timezone": self.timezone,
            "filters": self.filters,
            "generated_at": self.generated_local.isoformat(),
            "totals": group(self.totals),
            **{f"by_{name}": [group(g) for g in rows] for name, rows in self.groups.items()},
            "daily": [asdict(d) for d in self.daily],
            "heatmap": self.heatmap,
            "detailed_ratings": {
                "count": self.detailed_ratings.count,
                "percent": self.detailed_ratings.percent,
            },
            "dossiers": {
                "received": self.dossiers.received,
                "by_status": {str(k): v for k, v in sorted(self.dossiers.by_status.items())},
                "timeliness": self.dossiers.timeliness,
                "overdue_open": self.dossiers.overdue_open,
            },
            "appointments": asdict(self.appointments),
        }


def group_key(row: GroupRow, dimension: str) -> int | None:
    return getattr(row, dimension)


def roll_up(
    rows: Iterable[GroupRow],
    labels: Mapping[str, Mapping[int, str]],
    wait: Mapping[str, Mapping[int | None, Histogram[int]]],
    service: Mapping[str, Mapping[int | None, Histogram[int]]],
    ratings: Mapping[str, Mapping[int | None, RatingFigures]],
    parked: Mapping[str, Mapping[int | None, Histogram[int]]] | None = None,
) -> tuple[GroupFigures, dict[str, list[GroupFigures]]]:
    """Totals and one list per dimension, from the finest rows and per-dimension histograms
    (``parked``: the time away of parked entries, if any were).

    Entries never called have no counter or officer: they count in the totals and
    per site and service, but form no counter or officer row.
    """
    parked = parked or {}
    totals = GroupFigures(None, "Tổng / Total")
    groups: dict[str, dict[int, GroupFigures]] = {d: {} for d in DIMENSIONS}
    for row in rows:
        totals.counts.add(row.counts)
        for dimension in DIMENSIONS:
            key = group_key(row, dimension)
            if key is None:
                continue
            label = labels.get(dimension, {}).get(key, str(key))
            groups[dimension].setdefault(key, GroupFigures(key, label)).counts.add(row.counts)
    totals.wait = duration_stats(_every(wait))
    totals.service = duration_stats(_every(service))
    totals.parked_time = duration_stats(_every(parked))
    for rating in ratings.get("site", {}).values():
        for level, count in rating.levels.items():
            totals.rating.add(level, count)
    for dimension, per_key in groups.items():
        for key, figures in per_key.items():
            figures.wait = duration_stats(wait.get(dimension, {}).get(key, Histogram()))
            figures.service = duration_stats(service.get(dimension, {}).get(key, Histogram()))
            figures.parked_time = duration_stats(parked.get(dimension, {}).get(key, Histogram()))
            figures.rating = ratings.get(dimension, {}).get(key, RatingFigures())
    ordered = {
        dimension: sorted(per_key.values(), key=lambda g: (g.label, g.key or 0))
        for dimension, per_key in groups.items()
    }
    return totals, ordered


def _every(durations: Mapping[str, Mapping[int | None, Histogram[int]]]) -> Histogram[int]:
    """One histogram of every entry: the sites' together (each entry has one site)."""
    every: Histogram[int] = Histogram()
    for histogram in durations.get("site", {}).values():
        every.update(histogram)
    return every


def weekday_hour_heatmap(buckets: Iterable[tuple[str, int]], zone: str) -> list[list[int]]:
    """Counts per UTC hour (``"YYYY-MM-DD HH"``) folded onto local weekday × hour."""
    tz = ZoneInfo(zone)
    grid = [[0] * 24 for _ in range(7)]
    for bucket, count in buckets:
        moment = datetime.strptime(bucket, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(tz)
        grid[moment.weekday()][moment.hour] += count
    return grid
