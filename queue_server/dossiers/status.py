"""Dossier statuses: the ten codes of the national public service portal.

Upstream one-stop systems each use their own words (``dang xu ly``,
``DA_TRA_KQ``, ``Hoàn thành``); :class:`StatusMapping` turns them into these
codes, accent- and case-insensitively, with site-specific additions on top of
a default vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from queue_server.dossiers.errors import UnknownStatus
from queue_server.text import fold


@dataclass(frozen=True)
class StatusText:
    label_vi: str
    label_en: str
    explain_vi: str
    explain_en: str


class DossierStatus(IntEnum):
    NEW = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    PAYMENT_REQUESTED = 6
    WITHDRAWN = 7
    STOPPED = 8
    DONE = 9
    RETURNED = 10

    @property
    def text(self) -> StatusText:
        return _TEXTS[self]

    @property
    def label_vi(self) -> str:
        return self.text.label_vi

    @property
    def label_en(self) -> str:
        return self.text.label_en

    @property
    def explain_vi(self) -> str:
        """What the status means for the visitor and what, if anything, they must do."""
        return self.text.explain_vi

    @property
    def explain_en(self) -> str:
        return self.text.explain_en

    @property
    def needs_visitor(self) -> bool:
        """The dossier waits on the applicant (papers to add, fees to pay, result to take)."""
        return self in {self.SUPPLEMENT_REQUESTED, self.PAYMENT_REQUESTED, self.DONE}

    @property
    def is_finished(self) -> bool:
        """Processing is over, so timeliness is judged against the finish time."""
        return self in {self.DONE, self.RETURNED}

    @property
    def is_closed(self) -> bool:
        """No further change is expected."""
        return self in {self.NOT_RECEIVED, self.WITHDRAWN, self.STOPPED, self.RETURNED}


_TEXTS: dict[DossierStatus, StatusText] = {
    DossierStatus.NEW: StatusText(
        "Mới đăng ký",
        "Newly registered",
        "Hồ sơ đã được đăng ký nhưng chưa được cán bộ tiếp nhận. "
        "Nếu nộp trực tuyến, vui lòng chờ cán bộ kiểm tra hồ sơ.",
        "The dossier is registered but not yet accepted by an officer. "
        "If you applied online, please wait while it is checked.",
    ),
    DossierStatus.RECEIVED: StatusText(
        "Được tiếp nhận",
        "Received",
        "Hồ sơ đã được tiếp nhận và sẽ được chuyển đến cơ quan giải quyết. "
        "Ông/bà chưa cần làm gì thêm.",
        "The dossier has been accepted and goes to the deciding agency. "
        "Nothing more is needed from you for now.",
    ),
    DossierStatus.NOT_RECEIVED: StatusText(
        "Không được tiếp nhận",
        "Not accepted",
        "Hồ sơ không được tiếp nhận. Lý do được ghi trong phiếu từ chối; "
        "ông/bà có thể hỏi tại quầy hướng dẫn để nộp lại.",
        "The dossier was not accepted. The reason is written on the refusal slip; "
        "ask at the help desk how to apply again.",
    ),
    DossierStatus.PROCESSING: StatusText(
        "Đang xử lý",
        "Being processed",
        "Hồ sơ đang được cơ quan có thẩm quyền giải quyết. "
        "Ông/bà chưa cần làm gì thêm; vui lòng theo dõi đến ngày hẹn trả kết quả.",
        "The competent agency is working on the dossier. Nothing is needed from you; "
        "check again by the date the result is due.",
    ),
    DossierStatus.SUPPLEMENT_REQUESTED: StatusText(
        "Yêu cầu bổ sung giấy tờ",
        "More documents requested",
        "Hồ sơ còn thiếu hoặc cần sửa giấy tờ. Ông/bà vui lòng xem thông báo bổ sung "
        "và mang giấy tờ còn thiếu đến Bộ phận Một cửa (hoặc bổ sung trực tuyến); "
        "hồ sơ chỉ được giải quyết tiếp khi đã bổ sung đủ.",
        "Documents are missing or must be corrected. Read the request, then bring the "
        "missing papers to the one-stop counter (or add them online); processing "
        "resumes only once they are complete.",
    ),
    DossierStatus.PAYMENT_REQUESTED: StatusText(
        "Yêu cầu thực hiện nghĩa vụ tài chính",
        "Payment requested",
        "Ông/bà cần nộp phí, lệ phí hoặc thuế theo thông báo (tại quầy thu hoặc trực "
        "tuyến) để hồ sơ được giải quyết tiếp.",
        "You need to pay the fees, charges or taxes in the notice (at the cashier or "
        "online) before the dossier can go on.",
    ),
    DossierStatus.WITHDRAWN: StatusText(
        "Công dân yêu cầu rút hồ sơ",
        "Withdrawn by the applicant",
        "Hồ sơ đã được rút theo yêu cầu của người nộp và không được giải quyết tiếp.",
        "The dossier was withdrawn at the applicant's request and will not be processed.",
    ),
    DossierStatus.STOPPED: StatusText(
        "Dừng xử lý",
        "Processing stopped",
        "Việc giải quyết hồ sơ đã dừng. Ông/bà vui lòng liên hệ Bộ phận Một cửa "
        "để biết lý do và cách xử lý.",
        "Processing of the dossier has stopped. Please contact the one-stop counter "
        "to learn why and what to do.",
    ),
    DossierStatus.DONE: StatusText(
        "Đã xử lý xong",
        "Ready",
        "Hồ sơ đã có kết quả. Ông/bà vui lòng mang giấy tiếp nhận (giấy hẹn) và giấy "
        "tờ tùy thân đến nơi trả kết quả để nhận.",
        "The result is ready. Bring the receipt and your ID document to the result "
        "counter to collect it.",
    ),
    DossierStatus.RETURNED: StatusText(
        "Đã trả kết quả",
        "Result delivered",
        "Kết quả đã được trả cho người nộp hồ sơ. Hồ sơ đã hoàn tất.",
        "The result has been handed over. The dossier is complete.",
    ),
}

# Words upstream systems are known to use, already folded (see ``_key``).
DEFAULT_WORDS: dict[str, DossierStatus] = {
    **{
        word: status
        for status in DossierStatus
        for word in (str(int(status)), status.name.lower().replace("_", " "))
    },
    "moi": DossierStatus.NEW,
    "moi tao": DossierStatus.NEW,
    "cho tiep nhan": DossierStatus.NEW,
    "new": DossierStatus.NEW,
    "registered": DossierStatus.NEW,
    "da tiep nhan": DossierStatus.RECEIVED,
    "tiep nhan": DossierStatus.RECEIVED,
    "tu choi": DossierStatus.NOT_RECEIVED,
    "tu choi tiep nhan": DossierStatus.NOT_RECEIVED,
    "khong tiep nhan": DossierStatus.NOT_RECEIVED,
    "rejected": DossierStatus.NOT_RECEIVED,
    "dang giai quyet": DossierStatus.PROCESSING,
    "cho xu ly": DossierStatus.PROCESSING,
    "dang xu ly": DossierStatus.PROCESSING,
    "in progress": DossierStatus.PROCESSING,
    "bo sung": DossierStatus.SUPPLEMENT_REQUESTED,
    "cho bo sung": DossierStatus.SUPPLEMENT_REQUESTED,
    "yeu cau bo sung": DossierStatus.SUPPLEMENT_REQUESTED,
    "yeu cau bo sung ho so": DossierStatus.SUPPLEMENT_REQUESTED,
    "cho nop phi": DossierStatus.PAYMENT_REQUESTED,
    "cho thanh toan": DossierStatus.PAYMENT_REQUESTED,
    "nghia vu tai chinh": DossierStatus.PAYMENT_REQUESTED,
    "rut ho so": DossierStatus.WITHDRAWN,
    "da rut": DossierStatus.WITHDRAWN,
    "withdrawn": DossierStatus.WITHDRAWN,
    "tam dung": DossierStatus.STOPPED,
    "stopped": DossierStatus.STOPPED,
    "hoan thanh": DossierStatus.DONE,
    "da giai quyet": DossierStatus.DONE,
    "da xu ly": DossierStatus.DONE,
    "cho tra ket qua": DossierStatus.DONE,
    "cho tra kq": DossierStatus.DONE,
    "done": DossierStatus.DONE,
    "completed": DossierStatus.DONE,
    "da tra kq": DossierStatus.RETURNED,
    "tra ket qua": DossierStatus.RETURNED,
    "delivered": DossierStatus.RETURNED,
    "ket thuc": DossierStatus.RETURNED,
}

_SEPARATORS = re.compile(r"[\s_\-./]+")


def _key(word: str) -> str:
    return " ".join(_SEPARATORS.split(fold(word))).strip()


@dataclass(frozen=True)
class StatusMapping:
    """Upstream word -> portal status; ``extra`` (from the site file) wins over defaults."""

    words: Mapping[str, DossierStatus]

    @classmethod
    def build(cls, extra: Mapping[str, int | str] | None = None) -> StatusMapping:
        """Defaults plus the labels of every status plus ``extra`` ({word: code or name})."""
        words = dict(DEFAULT_WORDS)
        for status in DossierStatus:
            words[_key(status.label_vi)] = status
            words[_key(status.label_en)] = status
        for word, target in (extra or {}).items():
            words[_key(word)] = _status_of(target)
        return cls(words)

    def map(self, word: str | int) -> DossierStatus:
        """The portal status an upstream word stands for, or :class:`UnknownStatus`."""
        status = self.words.get(_key(str(word)))
        if status is None:
            raise UnknownStatus()
        return status


def _status_of(target: int | str) -> DossierStatus:
    try:
        return DossierStatus(int(target))
    except ValueError:
        pass
    try:
        return DossierStatus[str(target).upper()]
    except KeyError:
        raise UnknownStatus(
            "A status mapping in the site file names no portal status (use 1-10).",
            "Ánh xạ trạng thái trong tệp cấu hình không trỏ tới mã trạng thái nào (1–10).",
        ) from None
