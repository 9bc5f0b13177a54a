"""Dossier domain errors the server raises; the code errors a device raises too
are in :mod:`device_kit.contract.errors`.

Refusals like the queueing errors (``code``, ``status``, ``message``,
``message_vi``), so the API maps both alike. Messages never echo the
caller's input: a scanned payload may hold a citizen ID number, and an error
text ends up on screens and in logs.
"""

from __future__ import annotations

from device_kit.contract.errors import DossierError


class UnknownStatus(DossierError):
    code = "dossier_status_unknown"
    status = 422
    message = "The upstream status word is not mapped to a portal status code."
    message_vi = "Trạng thái từ hệ thống một cửa chưa được ánh xạ sang mã trạng thái."


class InvalidCalendar(DossierError):
    code = "invalid_calendar"
    message = "The working calendar settings are not valid."
    message_vi = "Cấu hình lịch làm việc không hợp lệ."


class InvalidRating(DossierError):
    code = "invalid_rating"
    message = "The rating is not valid."
    message_vi = "Phiếu đánh giá không hợp lệ."


class UnknownDossier(DossierError):
    """A well-formed code the mirror does not hold (yet)."""

    code = "dossier_not_found"
    status = 404
    message = (
        "No dossier with this code was found. Check the code on the receipt; a dossier "
        "received today may take a few minutes to appear."
    )
    message_vi = (
        "Không tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã trên giấy tiếp nhận; "
        "hồ sơ vừa nộp hôm nay có thể cần vài phút để hiển thị."
    )


class TooManyLookups(DossierError):
    """Lookups from one client come faster than a person types codes."""

    code = "too_many_lookups"
    status = 429
    message = "Too many lookups. Please wait a moment and try again."
    message_vi = "Tra cứu quá nhiều lần. Vui lòng chờ giây lát rồi thử lại."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__()
        self.retry_after_s = retry_after_s


class ImportRejected(DossierError):
    """A file import refused as a whole; ``problems`` name each bad row."""

    code = "import_rejected"
    status = 422
    message = "Nothing was imported: some rows are not valid (see details)."
    message_vi = "Chưa nhập dữ liệu nào: một số dòng không hợp lệ (xem chi tiết)."

    def __init__(
        self,
        problems: list[dict[str, object]],
        message: str | None = None,
        message_vi: str | None = None,
    ) -> None:
        super().__init__(message, message_vi)
        self.problems = problems


class WebhookRefused(DossierError):
    """A push that is not signed with the shared secret, too old, or seen before."""

    code = "webhook_refused"
    status = 401
    message = "The push is refused: bad signature, stale timestamp or replay."
    message_vi = "Từ chối dữ liệu đẩy: chữ ký sai, thời điểm quá cũ hoặc gửi lặp lại."

    def __init__(self, reason: str) -> None:
        super().__init__()
        #: unsigned, bad_signature, bad_timestamp, stale_timestamp, replay or no_secret.
        self.reason = reason


class UpstreamUnavailable(DossierError):
    """The one-stop system did not answer usefully; the mirror keeps its last data."""

    code = "upstream_unavailable"
    status = 503
    message = "The one-stop system is not reachable; showing the last data received."
    message_vi = "Không kết nối được Hệ thống một cửa điện tử; đang dùng dữ liệu nhận gần nhất."
