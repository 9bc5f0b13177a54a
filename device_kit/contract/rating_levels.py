"""The quick rating's answers, as the rating terminal shows them and the server
stores them: the value of each is the stable API code."""

from __future__ import annotations

from enum import Enum


class QuickLevel(Enum):
    """The buttons of the rating terminal; the value is the stable API code."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    VERY_UNSATISFIED = "very_unsatisfied"

    @property
    def label_vi(self) -> str:
        return _LEVEL_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LEVEL_LABELS[self][1]

    @property
    def asks_reasons(self) -> bool:
        return self in {QuickLevel.NOT_SATISFIED, QuickLevel.VERY_UNSATISFIED}


_LEVEL_LABELS = {
    QuickLevel.VERY_SATISFIED: ("Rất hài lòng", "Very satisfied"),
    QuickLevel.SATISFIED: ("Hài lòng", "Satisfied"),
    QuickLevel.NOT_SATISFIED: ("Không hài lòng", "Not satisfied"),
    QuickLevel.VERY_UNSATISFIED: ("Rất không hài lòng", "Very unsatisfied"),
}


def quick_levels(four_levels: bool = False) -> tuple[QuickLevel, ...]:
    """The buttons to show, best first; the fourth only where the site enables it."""
    levels = tuple(QuickLevel)
    return levels if four_levels else levels[:3]


class Reason(Enum):
    """Why a visitor was not satisfied (several may be ticked)."""

    LONG_WAIT = ("long_wait", "Thời gian chờ đợi lâu", "Waited too long")
    ATTITUDE = ("attitude", "Thái độ phục vụ chưa tốt", "Unfriendly service")
    UNCLEAR_GUIDANCE = ("unclear_guidance", "Hướng dẫn chưa rõ ràng, đầy đủ", "Unclear guidance")
    EXTRA_PAPERS = (
        "extra_papers",
        "Yêu cầu giấy tờ ngoài quy định",
        "Asked for papers the rules do not require",
    )
    MANY_TRIPS = ("many_trips", "Phải đi lại nhiều lần", "Had to come back several times")
    LATE_RESULT = ("late_result", "Trả kết quả trễ hẹn", "Result later than promised")
    HARASSMENT = ("harassment", "Nhũng nhiễu, gây phiền hà", "Harassment or obstruction")
    FACILITIES = ("facilities", "Cơ sở vật chất chưa đáp ứng", "Poor facilities")
    OTHER = ("other", "Lý do khác", "Other")

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def label_vi(self) -> str:
        return self.value[1]

    @property
    def label_en(self) -> str:
        return self.value[2]
