"""Domain errors: each carries a stable code, an HTTP-like status and a message
in English and Vietnamese, so every caller (API, kiosk, console) can show the
same words to the person in front of it."""

from __future__ import annotations

from typing import Any

from device_kit.contract.errors import Refusal


class QueueError(Refusal):
    """Base of every queueing refusal."""

    code = "queue_error"
    status = 409
    message = "The request cannot be carried out."
    message_vi = "Không thể thực hiện yêu cầu."


def error_body(
    code: str, message: str, message_vi: str, details: Any = None, **extra: Any
) -> dict[str, Any]:
    """The API's error shape ``{"error": {"code", "message", "message_vi"}}`` as data."""
    body: dict[str, Any] = {"code": code, "message": message, "message_vi": message_vi}
    if details is not None:
        body["details"] = details
    return {"error": body | extra}


def refusal_body(exc: Refusal) -> dict[str, Any]:
    """A domain refusal in the error shape, with the rows it lists and counts, if any."""
    details = getattr(exc, "details", None) or getattr(exc, "problems", None) or None
    unlisted = getattr(exc, "unlisted", 0)
    extra = {"unlisted_problems": unlisted} if unlisted else {}
    return error_body(exc.code, exc.message, exc.message_vi, details, **extra)


class NotFound(QueueError):
    code = "not_found"
    status = 404
    message = "Not found."
    message_vi = "Không tìm thấy."


class UnknownService(NotFound):
    code = "unknown_service"
    message = "There is no such service."
    message_vi = "Không có dịch vụ này."


class UnknownCounter(NotFound):
    code = "unknown_counter"
    message = "There is no such counter."
    message_vi = "Không có quầy này."


class UnknownTicket(NotFound):
    code = "unknown_ticket"
    message = "There is no such ticket."
    message_vi = "Không có số thứ tự này."


class RequestKeyReused(QueueError):
    code = "request_key_reused"
    status = 422
    message = "This request key was already used for another request."
    message_vi = "Mã yêu cầu này đã được dùng cho một yêu cầu khác."


class ServiceClosed(QueueError):
    code = "service_closed"
    message = "This service is not taking tickets now."
    message_vi = "Dịch vụ này hiện không cấp số."


class DailyLimitReached(QueueError):
    code = "daily_limit_reached"
    message = "Today's tickets for this service have all been issued."
    message_vi = "Đã hết số thứ tự của dịch vụ này trong ngày hôm nay."


class InvalidTransition(QueueError):
    code = "invalid_state"
    message = "The ticket is not in a state that allows this."
    message_vi = "Số thứ tự đang ở trạng thái không cho phép thao tác này."


class CounterPaused(QueueError):
    code = "counter_paused"
    message = "The counter is paused; resume it first."
    message_vi = "Quầy đang tạm dừng; hãy mở lại quầy trước."


class CounterRetired(QueueError):
    code = "counter_retired"
    message = "The counter is retired; an administrator can bring it back."
    message_vi = "Quầy đã ngừng sử dụng; quản trị viên có thể dùng lại quầy này."


class CounterBusy(QueueError):
    """A counter that still holds a visitor is neither retired nor given a parked one
    back: nobody's visit is closed behind the officer's back."""

    code = "counter_busy"
    message = "The counter still holds a visitor; finish, park or transfer them first."
    message_vi = (
        "Quầy vẫn đang phục vụ một lượt; hãy hoàn thành, cho tạm chờ hoặc chuyển lượt đó trước."
    )


class NoCurrentTicket(QueueError):
    code = "no_current_ticket"
    message = "The counter is not serving any ticket."
    message_vi = "Quầy chưa gọi số nào."


class ServiceNotAtCounter(QueueError):
    code = "service_not_at_counter"
    message = "This counter does not serve that service."
    message_vi = "Quầy này không phục vụ dịch vụ đó."


class InvalidPriority(QueueError):
    code = "invalid_priority"
    status = 400
    message = "Unknown priority group."
    message_vi = "Nhóm ưu tiên không hợp lệ."


class InvalidConfiguration(QueueError):
    code = "invalid_configuration"
    status = 400
    message = "The site configuration is not valid."
    message_vi = "Cấu hình trung tâm không hợp lệ."


class TicketNotParked(QueueError):
    """Two officers resumed the same visitor: the first took them, the second is told."""

    code = "ticket_not_parked"
    message = "The ticket is not parked (another counter may have called it back)."
    message_vi = "Số này không còn ở trạng thái tạm chờ (có thể quầy khác đã mời lại)."

    def __init__(self, number: str | None = None) -> None:
        if number is None:
            super().__init__()
        else:
            super().__init__(
                f"Ticket {number} is not parked (another counter may have called it back).",
                f"Số {number} không còn ở trạng thái tạm chờ (có thể quầy khác đã mời lại).",
            )


