"""The pure arithmetic of reports: percentiles from histograms, the heatmap fold, roll-ups."""

from __future__ import annotations

import random
import statistics
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.reports.figures import (
    Counts,
    GroupRow,
    RatingFigures,
    duration_stats,
    roll_up,
    weekday_hour_heatmap,
)
from queue_server.reports.layout import decimal_text


@given(st.lists(st.integers(min_value=0, max_value=20_000), min_size=1, max_size=300))
def test_histogram_statistics_equal_the_statistics_module(values: list[int]) -> None:
    stats = duration_stats(Counter(values))
    assert stats.count == len(values)
    assert stats.mean_s == pytest.approx(statistics.fmean(values))
    assert stats.median_s == pytest.approx(statistics.median(values))
    expected_p90 = (
        statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
    )
    assert stats.p90_s == pytest.approx(expected_p90)


def test_no_durations_give_no_figures_rather_than_zero() -> None:
    stats = duration_stats({})
    assert (stats.count, stats.mean_s, stats.median_s, stats.p90_s) == (0, None, None, None)


def test_utc_hours_fold_onto_hanoi_weekday_and_hour() -> None:
    """01:00 UTC on Monday 2026-11-23 is 08:00 Monday in Hà Nội; 20:00 UTC Sunday is
    03:00 Monday."""
    grid = weekday_hour_heatmap([("2026-11-23 01", 5), ("2026-11-22 20", 2)], "Asia/Ho_Chi_Minh")
    assert grid[0][8] == 5 and grid[0][3] == 2
    assert sum(map(sum, grid)) == 7


def test_roll_up_sums_counts_per_dimension_and_skips_entries_never_called() -> None:
    rng = random.Random(4)
    rows = [
        GroupRow(
            1,
            rng.choice((10, 11)),
            rng.choice((None, 1, 2)),
            rng.choice((None, 7, 8)),
            Counts(issued=rng.randint(0, 9), served=rng.randint(0, 9)),
        )
        for _ in range(40)
    ]
    wait = {"service": {10: Counter({60: 2, 120: 1})}, "site": {1: Counter({60: 2, 120: 1})}}
    ratings = {"counter": {1: RatingFigures({"very_satisfied": 3, "not_satisfied": 1})}}
    totals, groups = roll_up(rows, {"counter": {1: "Quầy 1"}}, wait, {}, ratings)
    assert totals.counts.issued == sum(r.counts.issued for r in rows)
    by_service = {g.key: g.counts.served for g in groups["service"]}
    assert by_service == {
        key: sum(r.counts.served for r in rows if r.service == key) for key in (10, 11)
    }
    assert {g.key for g in groups["counter"]} == {1, 2}
    assert sum(g.counts.issued for g in groups["officer"]) == sum(
        r.counts.issued for r in rows if r.officer is not None
    )
    service_10 = next(g for g in groups["service"] if g.key == 10)
    assert (service_10.wait.median_s, service_10.wait.p90_s) == (60, 108)
    counter_1 = next(g for g in groups["counter"] if g.key == 1)
    assert counter_1.label == "Quầy 1" and counter_1.rating.satisfied_percent == 75.0
    assert totals.wait.count == 3 and totals.rating.satisfied_percent is None


def test_numbers_are_written_the_vietnamese_way() -> None:
    assert decimal_text(12.46) == "12,5"
    assert decimal_text(1677) == "1.677"
    assert decimal_text(None) == "–"
