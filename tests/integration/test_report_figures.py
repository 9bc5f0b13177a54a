"""A generated month of activity: the report's figures equal a computation done here,
in plain Python over the rows the generator wrote (nothing from queue_server.reports)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from report_activity import Activity, generate_activity

from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.reports.periods import PeriodKind, ReportPeriod
from queue_server.reports.queries import ReportFilter, collect_report
from queue_server.runtime import Runtime

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOVEMBER = ReportPeriod(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 11, 30))
# Generated a few days either side, so the period's edges must cut it.
GENERATED = (date(2026, 10, 28), date(2026, 12, 2))
NOW = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


def _seconds(a: datetime, b: datetime) -> int:
    return round((b - a).total_seconds())


def _stats(values: list[int]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "mean_s": None, "median_s": None, "p90_s": None}
    return {
        "count": len(values),
        "mean_s": statistics.fmean(values),
        "median_s": statistics.median(values),
        "p90_s": statistics.quantiles(values, n=10, method="inclusive")[8]
        if len(values) > 1
        else float(values[0]),
    }


def expected_groups(activity: Activity, dimension: str) -> dict[Any, dict[str, Any]]:
    """Counts, waits and service times per key of ``dimension`` ("site", "service", …)."""
    by_id = {row["id"]: row for row in activity.tickets}
    chosen = [
        r
        for r in activity.tickets
        if NOVEMBER.start.isoformat() <= r["day"] <= NOVEMBER.end.isoformat()
    ]
    column = f"{dimension}_id"
    groups: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {"counts": Counter(), "wait": [], "service": []}
    )
    for row in chosen:
        key = row[column]
        if key is None:
            continue
        group = groups[key]
        origin = row["transferred_from_id"]
        group["counts"]["transferred_in" if origin else "issued"] += 1
        group["counts"][row["state"]] += 1
        if row["called_at"] is not None:
            group["counts"]["called"] += 1
            start = by_id[origin]["finished_at"] if origin else row["issued_at"]
            group["wait"].append(_seconds(start, row["called_at"]))
        if row["state"] == "done":
            begun = row["serving_at"] or row["called_at"]
            group["service"].append(_seconds(begun, row["finished_at"]))
    start = datetime(2026, 11, 1, tzinfo=ZONE)
    end = datetime(2026, 12, 1, tzinfo=ZONE)
    for rating in activity.ratings:
        if start <= rating["at"] < end and rating[column] is not None:
            groups[rating[column]].setdefault("ratings", Counter())[rating["level"]] += 1
    return groups


def _figures(group: dict[str, Any]) -> dict[str, Any]:
    levels = group.get("ratings", Counter())
    total = sum(levels.values())
    return _flat(
        {
            "issued": group["counts"]["issued"],
            "transferred_in": group["counts"]["transferred_in"],
            "called": group["counts"]["called"],
            "served": group["counts"]["done"],
            "no_show": group["counts"]["no_show"],
            "transferred": group["counts"]["transferred"],
            "cancelled": group["counts"]["cancelled"],
            "wait": _stats(group["wait"]),
            "service": _stats(group["service"]),
            "rating_total": total,
            "satisfied_percent": 100.0 * (levels["very_satisfied"] + levels["satisfied"]) / total
            if total
            else None,
        }
    )


def _flat(figures: dict[str, Any]) -> dict[str, Any]:
    """Nested duration figures as ``wait.median_s``-style keys, for pytest.approx."""
    flat = {}
    for name, value in figures.items():
        if isinstance(value, dict):
            flat.update({f"{name}.{k}": v for k, v in value.items()})
        else:
            flat[name] = value
    return flat


def _reported(group: dict[str, Any]) -> dict[str, Any]:
    counts = ("issued", "transferred_in", "called", "served", "no_show", "transferred")
    return _flat(
        {
            **{k: group[k] for k in (*counts, "cancelled")},
            "wait": group["wait"],
            "service": group["service"],
            "rating_total": group["rating"]["total"],
            "satisfied_percent": group["rating"]["satisfied_percent"],
        }
    )


@pytest.fixture
def month(runtime: Runtime) -> tuple[Activity, dict[str, Any]]:
    activity = generate_activity(runtime, *GENERATED, per_service_day=14, dossier_count=160)
    with runtime.uow(readonly=True) as uow:
        site_id = uow.repo.site("default").id
        report = collect_report(
            uow.session, ReportFilter((site_id,)), NOVEMBER, WorkingCalendar(), NOW
        )
    return activity, report.to_dict()


def test_counts_and_times_per_service_counter_officer_match_a_plain_computation(
    month: tuple[Activity, dict[str, Any]],
) -> None:
    activity, report = month
    for dimension in ("site", "service", "counter", "officer"):
        expected = {key: _figures(g) for key, g in expected_groups(activity, dimension).items()}
        reported = {g["key"]: _reported(g) for g in report[f"by_{dimension}"]}
        assert reported.keys() == expected.keys(), dimension
        for key, figures in expected.items():
            assert reported[key] == pytest.approx(figures), (dimension, key)
    (site,) = report["by_site"]
    assert {k: v for k, v in report["totals"].items() if k not in ("key", "label")} == {
        k: v for k, v in site.items() if k not in ("key", "label")
    }
    # The generated month is not trivial: every kind of outcome occurs.
    totals = report["totals"]
    assert totals["issued"] > 1500 and totals["transferred_in"] > 50
    assert min(totals["no_show"], totals["cancelled"], totals["transferred"]) > 20
    officers = {g["label"] for g in report["by_officer"]}
    assert "Nguyễn Thị Hương" in officers and len(officers) == 8


def test_daily_series_and_heatmap_count_new_tickets_by_local_day_and_hour(
    month: tuple[Activity, dict[str, Any]],
) -> None:
    activity, report = month
    new = [
        r
        for r in activity.tickets
        if r["transferred_from_id"] is None and "2026-11-01" <= r["day"] <= "2026-11-30"
    ]
    grid = [[0] * 24 for _ in range(7)]
    per_day: Counter[str] = Counter()
    for row in new:
        local = row["issued_at"].astimezone(ZONE)
        grid[local.weekday()][local.hour] += 1
        per_day[local.date().isoformat()] += 1
    assert report["heatmap"] == grid
    assert {d["day"]: d["issued"] for d in report["daily"]} == dict(per_day)
    assert sum(grid[5]) == sum(grid[6]) == 0  # nobody on weekends
    busiest = max(range(24), key=lambda h: sum(day[h] for day in grid))
    assert busiest in (8, 9)


def test_dossiers_by_status_and_timeliness_match_a_plain_computation(
    month: tuple[Activity, dict[str, Any]],
) -> None:
    activity, report = month
    start = datetime(2026, 11, 1, tzinfo=ZONE)
    end = datetime(2026, 12, 1, tzinfo=ZONE)
    received = Counter(
        str(d["status"]) for d in activity.dossiers if start <= d["received_at"] < end
    )
    timeliness: Counter[str] = Counter()
    for d in activity.dossiers:
        done, due = d["finished_at"], d["due_at"]
        if done is None or not start <= done < end:
            continue
        if done > due:
            timeliness["LATE"] += 1
        elif done.astimezone(ZONE).date() < due.astimezone(ZONE).date():
            timeliness["EARLY"] += 1
        else:
            timeliness["ON_TIME"] += 1
    overdue = sum(
        1
        for d in activity.dossiers
        if d["finished_at"] is None
        and d["status"] in (2, 4, 5)
        and d["due_at"] < end
        and d["received_at"] < end
    )
    dossiers = report["dossiers"]
    assert dossiers["by_status"] == dict(received)
    assert dossiers["timeliness"] == dict(timeliness)
    assert set(timeliness) == {"EARLY", "ON_TIME", "LATE"}
    assert dossiers["overdue_open"] == overdue > 0
    rated = [r for r in activity.dossier_ratings if start <= r["at"] < end]
    assert report["detailed_ratings"]["count"] == len(rated) > 0
    assert report["detailed_ratings"]["percent"] == pytest.approx(
        100 * sum(r["total"] for r in rated) / sum(r["maximum"] for r in rated)
    )


def test_a_filter_on_one_officer_keeps_only_their_entries(runtime: Runtime) -> None:
    activity = generate_activity(runtime, date(2026, 11, 2), date(2026, 11, 6), per_service_day=6)
    officer = sorted(activity.officers)[2]
    with runtime.uow(readonly=True) as uow:
        site_id = uow.repo.site("default").id
        report = collect_report(
            uow.session,
            ReportFilter((site_id,), officer_id=officer),
            ReportPeriod(PeriodKind.RANGE, date(2026, 11, 2), date(2026, 11, 6)),
            WorkingCalendar(),
            NOW,
        ).to_dict()
    mine = [r for r in activity.tickets if r["officer_id"] == officer]
    assert report["filters"] == {"officer": activity.officers[officer]}
    assert [g["key"] for g in report["by_officer"]] == [officer]
    assert report["totals"]["served"] == sum(r["state"] == "done" for r in mine) > 0
    assert report["totals"]["called"] == len(mine)
