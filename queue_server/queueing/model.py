"""Sites, services, counters and tickets, with the ticket state machine.

Plain dataclasses: the ORM maps onto them (``adapters/tables.py``) so the rules
here are tested without a database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.queueing.errors import (
    CounterBusy,
    CounterPaused,
    CounterRetired,
    InvalidPriority,
    InvalidTransition,
)
from queue_server.queueing.hours import OpeningHours


class TicketState(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


ACTIVE_STATES = frozenset({TicketState.CALLED, TicketState.SERVING})

_TRANSITIONS: dict[TicketState, frozenset[TicketState]] = {
    TicketState.WAITING: frozenset(
        {TicketState.CALLED, TicketState.TRANSFERRED, TicketState.CANCELLED}
    ),
    TicketState.CALLED: frozenset(
        {TicketState.SERVING, TicketState.DONE, TicketState.NO_SHOW, TicketState.TRANSFERRED}
    ),
    TicketState.SERVING: frozenset({TicketState.DONE, TicketState.TRANSFERRED}),
    # A visitor who missed the call may come back: the officer calls the number again.
    TicketState.NO_SHOW: frozenset({TicketState.CALLED}),
}


class PriorityGroup(enum.StrEnum):
    """Groups the regulations ask to serve first (DESIGN.md, queueing domain)."""

    ELDERLY = "elderly"
    DISABILITY = "disability"
    PREGNANT_OR_CHILD = "pregnant_or_child"
    MERITORIOUS = "meritorious"
    ONLINE_DOSSIER = "online_dossier"
    APPOINTMENT = "appointment"

    @classmethod
    def parse(cls, value: str | None) -> PriorityGroup | None:
        if value is None or value == "":
            return None
        try:
            return cls(value)
        except ValueError:
            raise InvalidPriority(
                f"Unknown priority group {value!r}; expected one of "
                + ", ".join(g.value for g in cls),
                "Nhóm ưu tiên không hợp lệ.",
            ) from None


PRIORITY_LABELS: dict[PriorityGroup, tuple[str, str]] = {
    PriorityGroup.ELDERLY: ("Người cao tuổi (từ 60 tuổi)", "Elderly (60 and over)"),
    PriorityGroup.DISABILITY: ("Người khuyết tật", "Person with a disability"),
    PriorityGroup.PREGNANT_OR_CHILD: (
        "Phụ nữ mang thai, người có con nhỏ",
        "Pregnant or with a small child",
    ),
    PriorityGroup.MERITORIOUS: (
        "Thương binh, người có công với cách mạng",
        "War invalid or meritorious person",
    ),
    PriorityGroup.ONLINE_DOSSIER: ("Hồ sơ nộp trực tuyến", "Online dossier"),
    PriorityGroup.APPOINTMENT: ("Đã đặt lịch hẹn", "Pre-booked appointment"),
}


class PriorityPolicy(enum.StrEnum):
    STRICT = "strict"
    INTERLEAVED = "interleaved"


class CounterState(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


@dataclass(eq=False)
class Site:
    code: str
    name_vi: str
    name_en: str = ""
    hotline: str = ""
    timezone: str = DEFAULT_ZONE
    max_recalls: int = 3
    ticker_vi: str = ""
    ticker_en: str = ""
    id: int | None = None


@dataclass(eq=False)
class Service:
    site_id: int
    code: str
    prefix: str
    name_vi: str
    name_en: str = ""
    hours_spec: str = OpeningHours.ALWAYS_SPEC
    daily_limit: int | None = None
    priority_policy: PriorityPolicy = PriorityPolicy.STRICT
    interleave_every: int = 3
    default_service_s: int = 300
    active: bool = True
    id: int | None = None

    @property
    def hours(self) -> OpeningHours:
        return OpeningHours.parse(self.hours_spec)


@dataclass(eq=False)
class Counter:
    site_id: int
    number: int
    name: str
    state: CounterState = CounterState.OPEN
    pause_reason: str | None = None
    officer_id: int | None = None
    current_ticket_id: int | None = None
    normal_streak: int = 0
    id: int | None = None

    def ensure_open(self) -> None:
        self.ensure_in_use()
        if self.state is not CounterState.OPEN:
            raise CounterPaused()

    def pause(self, reason: str) -> None:
        self.ensure_in_use()
        self.state = CounterState.PAUSED
        self.pause_reason = reason

    def resume(self) -> None:
        self.ensure_in_use()
        self.state = CounterState.OPEN
        self.pause_reason = None

    @property
    def retired(self) -> bool:
        return self.state is CounterState.CLOSED

    def ensure_in_use(self) -> None:
        """A retired counter is out until an admin reinstates it: no officer reopens it."""
        if self.retired:
            raise CounterRetired()

    def retire(self) -> None:
        """Take the counter out of use (a desk removed or merged): nobody signs in, calls
        or reopens it; its number, name and history stay for reports."""
        if self.current_ticket_id is not None:
            raise CounterBusy()
        self.state = CounterState.CLOSED
        self.pause_reason = None
        self.officer_id = None

    def reinstate(self) -> None:
        self.state = CounterState.OPEN

    def note_called(self, ticket: Ticket) -> None:
        """Track normal tickets called in a row, for the interleaved policy."""
        self.current_ticket_id = ticket.id
        self.normal_streak = 0 if ticket.priority else self.normal_streak + 1


@dataclass(eq=False)
class Ticket:
    site_id: int
    service_id: int
    number: str
    seq: int
    day: str
    track_token: str
    issued_at: datetime
    queued_at: datetime
    priority: str | None = None
    source: str = "kiosk"
    dossier_code: str | None = None
    state: TicketState = TicketState.WAITING
    called_at: datetime | None = None
    serving_at: datetime | None = None
    finished_at: datetime | None = None
    counter_id: int | None = None
    officer_id: int | None = None
    recall_count: int = 0
    transferred_from_id: int | None = None
    id: int | None = None

    def _move(self, target: TicketState) -> None:
        if target not in _TRANSITIONS.get(TicketState(self.state), frozenset()):
            raise InvalidTransition(
                f"Ticket {self.number} is {self.state}; it cannot become {target}.",
                f"Số {self.number} đang ở trạng thái «{STATE_LABELS_VI[TicketState(self.state)]}», "
                f"không thể chuyển sang «{STATE_LABELS_VI[target]}».",
            )
        self.state = target

    def call(self, counter: Counter, officer_id: int | None, now: datetime) -> None:
        self._move(TicketState.CALLED)
        self.called_at = now
        self.counter_id = counter.id
        self.officer_id = officer_id
        self.recall_count = 0

    def recall(self) -> None:
        if self.state != TicketState.CALLED:
            raise InvalidTransition(
                f"Only a called ticket can be recalled; {self.number} is {self.state}.",
                f"Chỉ gọi lại được số đang được gọi; số {self.number} đang ở trạng thái "
                f"«{STATE_LABELS_VI[TicketState(self.state)]}».",
            )
        self.recall_count += 1

    def start(self, now: datetime) -> None:
        self._move(TicketState.SERVING)
        self.serving_at = now

    def finish(self, now: datetime) -> None:
        self._move(TicketState.DONE)
        self.serving_at = self.serving_at or self.called_at
        self.finished_at = now

    def no_show(self, now: datetime) -> None:
        self._move(TicketState.NO_SHOW)
        self.finished_at = now

    def cancel(self, now: datetime) -> None:
        self._move(TicketState.CANCELLED)
        self.finished_at = now

    def transfer_to(self, service: Service, now: datetime) -> Ticket:
        """Close this entry and return the waiting entry in ``service``.

        The new entry keeps the number and the original issue time, so the
        visitor keeps their place in the target queue.
        """
        self._move(TicketState.TRANSFERRED)
        self.finished_at = now
        return Ticket(
            site_id=self.site_id,
            service_id=service.id or 0,
            number=self.number,
            seq=self.seq,
            day=self.day,
            track_token=self.track_token,
            issued_at=self.issued_at,
            queued_at=self.queued_at,
            priority=self.priority,
            source=self.source,
            dossier_code=self.dossier_code,
            transferred_from_id=self.id,
        )

    @property
    def service_time_s(self) -> float | None:
        return service_time_s(self.state, self.called_at, self.serving_at, self.finished_at)


def service_time_s(
    state: TicketState,
    called_at: datetime | None,
    serving_at: datetime | None,
    finished_at: datetime | None,
) -> float | None:
    """How long a finished ticket was served, from the four columns alone (the waiting-time
    estimate reads just those, not whole tickets); None unless it was served to the end."""
    start = serving_at or called_at
    if start is None or finished_at is None or state != TicketState.DONE:
        return None
    return (finished_at - start).total_seconds()


STATE_LABELS_VI: dict[TicketState, str] = {
    TicketState.WAITING: "đang chờ",
    TicketState.CALLED: "đã gọi",
    TicketState.SERVING: "đang phục vụ",
    TicketState.DONE: "đã xong",
    TicketState.NO_SHOW: "vắng mặt",
    TicketState.TRANSFERRED: "đã chuyển",
    TicketState.CANCELLED: "đã hủy",
}


@dataclass(frozen=True)
class NumberBlock:
    """A run of one service's day sequence reserved for one device (kiosk offline mode)."""

    id: int
    site_id: int
    service_id: int
    day: str
    device: str
    first_seq: int
    last_seq: int
    created_at: datetime


def format_number(prefix: str, seq: int) -> str:
    """``A`` and 23 give ``A023``; past 999 the number simply grows (``A1000``)."""
    return f"{prefix}{seq:03d}"


__all__ = [
    "ACTIVE_STATES",
    "Counter",
    "CounterState",
    "NumberBlock",
    "PRIORITY_LABELS",
    "PriorityGroup",
    "PriorityPolicy",
    "STATE_LABELS_VI",
    "Service",
    "Site",
    "Ticket",
    "TicketState",
    "format_number",
    "service_time_s",
]
