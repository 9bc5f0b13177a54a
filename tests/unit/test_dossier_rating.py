"""Ratings: Circular 01/2018 art. 13 indicators and the quick counter rating."""

from __future__ import annotations

import pytest

from device_kit.contract.rating_levels import QuickLevel, Reason, quick_levels
from queue_server.dossiers.errors import InvalidRating
from queue_server.dossiers.rating import (
    INDICATORS,
    DetailedRating,
    QuickRating,
    citizen_indicators,
    summarise,
)


def test_nine_indicators_scored_two_one_zero() -> None:
    assert [i.number for i in INDICATORS] == list(range(1, 10))
    assert INDICATORS[0].name_vi.startswith("Tổng thời gian giải quyết thủ tục hành chính")
    assert INDICATORS[6].name_vi.startswith("Thái độ của cán bộ, công chức, viên chức")
    assert all(len(i.levels_vi) == 3 for i in INDICATORS)


def test_the_kiosk_asks_the_citizen_indicators() -> None:
    assert [i.number for i in citizen_indicators()] == [1, 3, 4, 7]
    assert [i.number for i in INDICATORS if i.per_dossier] == [1, 2, 3, 4, 6, 7]


def test_detailed_rating_aggregate() -> None:
    rating = DetailedRating({1: 2, 3: 1, 4: 2, 7: 0})
    assert (rating.total, rating.maximum) == (5, 8)
    full = DetailedRating({n: 2 for n in range(1, 10)})
    assert (full.total, full.maximum) == (18, 18)
    summary = summarise([rating, DetailedRating({1: 1, 7: 2})])
    assert summary.count == 2
    assert summary.mean_by_indicator == {1: 1.5, 3: 1.0, 4: 2.0, 7: 1.0}
    assert (summary.total, summary.maximum, summary.percent) == (
        8,
        12,
        pytest.approx(66.667, 0.001),
    )
    assert summarise([]).percent == 0.0


@pytest.mark.parametrize("scores", [{1: 3}, {10: 2}, {}, {2: -1}])
def test_detailed_rating_refuses_bad_scores(scores: dict[int, int]) -> None:
    with pytest.raises(InvalidRating) as refusal:
        DetailedRating(scores)
    assert refusal.value.message_vi == "Mỗi chỉ số từ 1 đến 9 được chấm 2, 1 hoặc 0 điểm."


def test_quick_levels_three_or_four() -> None:
    assert [lv.label_vi for lv in quick_levels()] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert quick_levels(four_levels=True)[-1].label_vi == "Rất không hài lòng"


def test_quick_rating_with_reasons_when_not_satisfied() -> None:
    rating = QuickRating.from_codes("not_satisfied", ["long_wait", "attitude"], " Chờ lâu ")
    assert rating.level is QuickLevel.NOT_SATISFIED
    assert rating.reasons == {Reason.LONG_WAIT, Reason.ATTITUDE}
    assert rating.comment == "Chờ lâu"
    assert Reason.EXTRA_PAPERS.label_vi == "Yêu cầu giấy tờ ngoài quy định"


@pytest.mark.parametrize(
    ("level", "reasons", "comment"),
    [
        ("satisfied", ["long_wait"], ""),
        ("great", [], ""),
        ("not_satisfied", ["nope"], ""),
        ("not_satisfied", [], "x" * 501),
    ],
)
def test_quick_rating_refusals(level: str, reasons: list[str], comment: str) -> None:
    with pytest.raises(InvalidRating):
        QuickRating.from_codes(level, reasons, comment)
