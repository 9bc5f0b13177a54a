"""Satisfaction ratings: the quick one at the counter, the detailed one per dossier.

Detailed: Circular 01/2018/TT-VPCP, art. 13 — nine indicators, each scored
2 / 1 / 0. Indicators 1, 3, 4 and 7 are asked of the citizen (rating form or
device), the others come from the one-stop system or from inspection; the
per-dossier ones are 1, 2, 3, 4, 6 and 7. The aggregate is the sum over the
indicators scored, out of 2 for each.

Quick: Rất hài lòng / Hài lòng / Không hài lòng (optionally Rất không hài lòng),
with reasons to tick when not satisfied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from device_kit.contract.rating_levels import QuickLevel, Reason
from queue_server.dossiers.errors import InvalidRating
from queue_server.text import nfc

COMMENT_MAX = 500


@dataclass(frozen=True)
class Indicator:
    number: int
    name_vi: str
    name_en: str
    levels_vi: tuple[str, str, str]  # what earns 2, 1, 0 points (the circular's words)
    asked_of_citizen: bool
    per_dossier: bool
    levels_en: tuple[str, str, str]


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        1,
        "Tổng thời gian giải quyết thủ tục hành chính so với thời gian cho phép "
        "theo quy định của pháp luật",
        "Total time to settle the procedure against the time the law allows",
        (
            "Tổng thời gian ngắn hơn thời gian quy định",
            "Tổng thời gian bằng thời gian quy định",
            "Tổng thời gian dài hơn thời gian quy định",
        ),
        levels_en=(
            "Total time shorter than the time allowed",
            "Total time equal to the time allowed",
            "Total time longer than the time allowed",
        ),
        asked_of_citizen=True,
        per_dossier=True,
    ),
    Indicator(
        2,
        "Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết "
        "(kể cả đơn vị phối hợp) so với quy định",
        "Time taken by each agency involved (coordinating ones included) against the rules",
        (
            "Cơ quan, đơn vị xử lý ngắn hơn thời hạn quy định",
            "Cơ quan, đơn vị xử lý bằng thời hạn quy định",
            "Cơ quan, đơn vị xử lý dài hơn thời hạn quy định",
        ),
        levels_en=(
            "The agencies took less than their time limits",
            "The agencies took exactly their time limits",
            "The agencies took longer than their time limits",
        ),
        asked_of_citizen=False,
        per_dossier=True,
    ),
    Indicator(
        3,
        "Số lần phải liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ thủ tục "
        "hành chính (kể cả liên hệ theo hình thức trực tuyến)",
        "Times the applicant had to contact the receiving office to complete the dossier "
        "(online contact included)",
        (
            "Không phải liên hệ lần nào",
            "Chỉ phải liên hệ một lần",
            "Phải liên hệ hơn một lần (trừ khi do lỗi của người nộp hồ sơ)",
        ),
        levels_en=(
            "No contact needed at all",
            "Had to make contact only once",
            "Had to make contact more than once (unless through the applicant's own fault)",
        ),
        asked_of_citizen=True,
        per_dossier=True,
    ),
    Indicator(
        4,
        "Số lượng cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ thủ tục "
        "hành chính (kể cả liên hệ theo hình thức trực tuyến)",
        "Number of agencies or organisations the applicant had to contact to complete "
        "the dossier (online contact included)",
        (
            "Không phải liên hệ cơ quan, đơn vị, tổ chức nào",
            "Phải liên hệ một cơ quan, đơn vị, tổ chức",
            "Phải liên hệ từ hai cơ quan, đơn vị, tổ chức trở lên",
        ),
        levels_en=(
            "No agency or organisation to contact",
            "Had to contact one agency or organisation",
            "Had to contact two or more agencies or organisations",
        ),
        asked_of_citizen=True,
        per_dossier=True,
    ),
    Indicator(
        5,
        "Thực hiện tổ chức tiếp nhận hồ sơ, giải quyết, trả kết quả tại Bộ phận Một cửa",
        "Receiving, settling and returning results through the one-stop section",
        (
            "Tiếp nhận và trả kết quả đều tại Bộ phận Một cửa",
            "Chỉ tiếp nhận hoặc chỉ trả kết quả tại Bộ phận Một cửa",
            "Không thực hiện qua Bộ phận Một cửa",
        ),
        levels_en=(
            "Both received and returned at the one-stop section",
            "Only received or only returned at the one-stop section",
            "Not handled through the one-stop section",
        ),
        asked_of_citizen=False,
        per_dossier=False,
    ),
    Indicator(
        6,
        "Công khai các thủ tục hành chính",
        "Publication of the administrative procedures",
        (
            "Công khai đầy đủ, chính xác, đúng quy định",
            "Công khai nhưng chưa đầy đủ",
            "Không công khai",
        ),
        levels_en=(
            "Published fully, accurately and as the rules require",
            "Published, but not fully",
            "Not published",
        ),
        asked_of_citizen=False,
        per_dossier=True,
    ),
    Indicator(
        7,
        "Thái độ của cán bộ, công chức, viên chức khi hướng dẫn lập hồ sơ, tiếp nhận "
        "hồ sơ và giải quyết hồ sơ thủ tục hành chính",
        "Attitude of the officers guiding, receiving and settling the dossier",
        (
            "Lịch sự, tận tình, chu đáo",
            "Chưa nhiệt tình, chu đáo",
            "Có biểu hiện nhũng nhiễu, gây phiền hà, không đúng quy định",
        ),
        levels_en=(
            "Polite, dedicated and attentive",
            "Not yet keen or attentive enough",
            "Signs of harassment, obstruction or conduct against the rules",
        ),
        asked_of_citizen=True,
        per_dossier=True,
    ),
    Indicator(
        8,
        "Tiếp thu, giải trình đối với các ý kiến phản ánh, kiến nghị của tổ chức, cá nhân",
        "Taking in and answering the feedback and petitions of citizens and organisations",
        (
            "Không có phản ánh, kiến nghị, hoặc có và được tiếp thu, giải trình đúng hạn",
            "Được tiếp thu, giải trình nhưng quá hạn",
            "Không được tiếp thu, giải trình",
        ),
        levels_en=(
            "No feedback or petitions, or they were taken in and answered on time",
            "Taken in and answered, but late",
            "Not taken in or answered",
        ),
        asked_of_citizen=False,
        per_dossier=False,
    ),
    Indicator(
        9,
        "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến của cơ quan có thẩm quyền",
        "Progress and quality of the competent agency's online public services",
        (
            "Cung cấp dịch vụ công trực tuyến đúng tiến độ, chất lượng",
            "Cung cấp nhưng chậm tiến độ hoặc chưa bảo đảm chất lượng",
            "Không cung cấp theo yêu cầu",
        ),
        levels_en=(
            "Online public services provided on schedule and to standard",
            "Provided, but behind schedule or below standard",
            "Not provided as required",
        ),
        asked_of_citizen=False,
        per_dossier=False,
    ),
)
SCORES = (2, 1, 0)
MAX_SCORE = 2


def citizen_indicators() -> tuple[Indicator, ...]:
    """The indicators a visitor answers at the kiosk after scanning the dossier QR."""
    return tuple(i for i in INDICATORS if i.asked_of_citizen)


@dataclass(frozen=True)
class DetailedRating:
    """Scores for some or all of the nine indicators: {indicator number: 2 | 1 | 0}."""

    scores: Mapping[int, int]

    def __post_init__(self) -> None:
        numbers = {i.number for i in INDICATORS}
        if not self.scores or any(
            n not in numbers or s not in SCORES for n, s in self.scores.items()
        ):
            raise InvalidRating(
                "Each indicator 1-9 is scored 2, 1 or 0.",
                "Mỗi chỉ số từ 1 đến 9 được chấm 2, 1 hoặc 0 điểm.",
            )

    @property
    def total(self) -> int:
        return sum(self.scores.values())

    @property
    def maximum(self) -> int:
        return MAX_SCORE * len(self.scores)


@dataclass(frozen=True)
class RatingSummary:
    """Aggregate over many detailed ratings, for the reports."""

    count: int
    mean_by_indicator: dict[int, float]
    total: int
    maximum: int

    @property
    def percent(self) -> float:
        return 100.0 * self.total / self.maximum if self.maximum else 0.0


def summarise(ratings: Iterable[DetailedRating]) -> RatingSummary:
    sums: dict[int, int] = {}
    counts: dict[int, int] = {}
    count = 0
    for rating in ratings:
        count += 1
        for number, score in rating.scores.items():
            sums[number] = sums.get(number, 0) + score
            counts[number] = counts.get(number, 0) + 1
    return RatingSummary(
        count=count,
        mean_by_indicator={n: sums[n] / counts[n] for n in sorted(sums)},
        total=sum(sums.values()),
        maximum=MAX_SCORE * sum(counts.values()),
    )


@dataclass(frozen=True)
class QuickRating:
    level: QuickLevel
    reasons: frozenset[Reason] = frozenset()
    comment: str = ""

    def __post_init__(self) -> None:
        if self.reasons and not self.level.asks_reasons:
            raise InvalidRating(
                "Reasons go with a not-satisfied rating only.",
                "Chỉ chọn lý do khi không hài lòng.",
            )
        if len(self.comment) > COMMENT_MAX:
            raise InvalidRating(
                f"The comment is limited to {COMMENT_MAX} characters.",
                f"Góp ý tối đa {COMMENT_MAX} ký tự.",
            )

    @classmethod
    def from_codes(cls, level: str, reasons: Iterable[str] = (), comment: str = "") -> QuickRating:
        """Build from the API's codes (``"not_satisfied"``, ``["long_wait"]``)."""
        by_code = {reason.code: reason for reason in Reason}
        try:
            return cls(
                QuickLevel(level), frozenset(by_code[r] for r in reasons), nfc(comment.strip())
            )
        except (ValueError, KeyError):
            raise InvalidRating(
                "Unknown rating level or reason.",
                "Mức đánh giá hoặc lý do không hợp lệ.",
            ) from None
