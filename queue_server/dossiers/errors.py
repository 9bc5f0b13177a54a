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


#: An import refused over many rows lists the first ones; the rest are only counted,
#: so 100,000 bad rows answer in a few kilobytes, not 29 MB.
LISTED_PROBLEMS = 100


class ImportRejected(DossierError):
    """A file import refused as a whole; ``problems`` name the first bad rows."""

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
        unlisted = max(0, len(problems) - LISTED_PROBLEMS)
        if unlisted and message is None:
            message = (
                f"Nothing was imported: {len(problems)} rows are not valid; the first "
                f"{LISTED_PROBLEMS} are listed (see details), {unlisted} more are not."
            )
            message_vi = (
                f"Chưa nhập dữ liệu nào: {len(problems)} dòng không hợp lệ; "
                f"{LISTED_PROBLEMS} dòng đầu được liệt kê (xem chi tiết), "
                f"{unlisted} dòng khác không liệt kê."
            )
        super().__init__(message, message_vi)
        self.problems = problems[:LISTED_PROBLEMS]
        #: How many problems the list leaves out.
        self.unlisted = unlisted


class ImportTooLarge(DossierError):
    """A file over the row or unpacked-size cap, refused before it is parsed."""

    code = "import_too_large"
    status = 413

    def __init__(self, max_rows: int, max_unpacked_mb: int) -> None:
        super().__init__(
            f"The file is too large to import: at most {max_rows:,} rows and "
            f"{max_unpacked_mb} MB unpacked. Split it into smaller files.",
            f"Tệp quá lớn để nhập: tối đa {max_rows:,} dòng và {max_unpacked_mb} MB "
            "khi giải nén. Hãy chia thành các tệp nhỏ hơn.",
        )


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
