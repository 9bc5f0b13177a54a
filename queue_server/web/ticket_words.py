"""What a visitor reads for each state of their ticket (the tracking page): one table,
Vietnamese first, so no page ever shows a raw state word such as ``done``. A state added
to :class:`TicketState` needs its words here (a test holds the two together)."""

from __future__ import annotations

from queue_server.queueing.model import TicketState

#: ``{counter}`` is the counter the ticket was called to, where it has one.
STATE_TEXTS: dict[TicketState, tuple[str, str]] = {
    TicketState.WAITING: ("Đang chờ đến lượt", "Waiting for your turn"),
    TicketState.CALLED: ("Mời Ông/Bà đến quầy {counter}", "Please go to counter {counter}"),
    TicketState.SERVING: (
        "Đang được phục vụ tại quầy {counter}",
        "Being served at counter {counter}",
    ),
    TicketState.DONE: ("Đã hoàn thành. Cảm ơn Ông/Bà!", "Done. Thank you!"),
    TicketState.NO_SHOW: (
        "Đã qua lượt vì vắng mặt. Mời Ông/Bà liên hệ quầy hướng dẫn.",
        "Missed: you were not present when called. Please ask at the information desk.",
    ),
    TicketState.TRANSFERRED: (
        "Đã chuyển sang dịch vụ khác: số mới hiện ở trên khi có.",
        "Moved to another service: the new number shows above when there is one.",
    ),
    TicketState.CANCELLED: ("Số thứ tự này đã bị hủy.", "This ticket was cancelled."),
    TicketState.PARKED: (
        "Đang tạm chờ — quay lại quầy {counter} khi xong",
        "On hold — come back to counter {counter} when you are ready",
    ),
}
#: Shown for a state the page does not know yet (a newer server): never the raw word.
UNKNOWN_STATE = ("Đang xử lý", "In progress")


def state_words() -> dict[str, list[str]]:
    """The table as the page's dictionary: ``state_<value>`` to [vi, en]."""
    words = {f"state_{state.value}": list(text) for state, text in STATE_TEXTS.items()}
    words["state_unknown"] = list(UNKNOWN_STATE)
    return words
