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
    TicketNotParked,
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
    #: Sent away for a moment (a photocopy, a fee, a form): keeps the number and its place.
    PARKED = "parked"


ACTIVE_STATES = frozenset({TicketState.CALLED, TicketState.SERVING})

_TRANSITIONS: dict[TicketState, frozenset[TicketState]] = {
    TicketState.WAITING: frozenset(
        {TicketState.CALLED, TicketState.TRANSFERRED, TicketState.CANCELLED}
    ),
    TicketState.CALLED: frozenset(
        {
            TicketState.SERVING,
            TicketState.DONE,
            TicketState.NO_SHOW,
            TicketState.TRANSFERRED,
            TicketState.PARKED,
        }
    ),
    TicketState.SERVING: frozenset(
        {TicketState.DONE, TicketState.TRANSFERRED, TicketState.PARKED}
    ),
    # A parked visitor came back: an officer of the service calls them again (``resume_at``).
    TicketState.PARKED: frozenset({TicketState.CALLED}),
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

#: What the officer checks before serving a group first: the paper that proves it.
PRIORITY_CHECKS: dict[PriorityGroup, tuple[str, str]] = {
    PriorityGroup.ELDERLY: (
        "Kiểm tra giấy tờ chứng minh: người cao tuổi (căn cước ghi năm sinh, từ 60 tuổi)",
        "Check the proof: elderly (an ID card showing age 60 or over)",
    ),
    PriorityGroup.DISABILITY: (
        "Kiểm tra giấy tờ chứng minh: người khuyết tật (giấy xác nhận khuyết tật)",
        "Check the proof: person with a disability (disability certificate)",
    ),
    PriorityGroup.PREGNANT_OR_CHILD: (
        "Kiểm tra giấy tờ chứng minh: phụ nữ mang thai (sổ khám thai) "
        "hoặc người có con nhỏ (giấy khai sinh của con)",
        "Check the proof: pregnancy (antenatal record) "
        "or a small child (the child's birth certificate)",
    ),
    PriorityGroup.MERITORIOUS: (
        "Kiểm tra giấy tờ chứng minh: thương binh, người có công "
        "(thẻ thương binh, giấy chứng nhận người có công)",
        "Check the proof: war invalid or meritorious person (invalid's card, certificate)",
    ),
    PriorityGroup.ONLINE_DOSSIER: (
        "Kiểm tra mã hồ sơ đã nộp trực tuyến",
        "Check the code of the dossier filed online",
    ),
    PriorityGroup.APPOINTMENT: (
        "Kiểm tra lịch hẹn đã đặt (họ tên, giờ hẹn)",
        "Check the booked appointment (name, time)",
    ),
}


class ParkReason(enum.StrEnum):
    """Why a visitor steps away from the counter for a moment; any other reason is
    kept as the officer wrote it."""

    PHOTOCOPY = "photocopy"
    PAY_FEE = "pay_fee"
    FILL_FORM = "fill_form"


PARK_REASON_LABELS: dict[ParkReason, tuple[str, str]] = {
    ParkReason.PHOTOCOPY: ("Đi photo giấy tờ", "Photocopying a paper"),
    ParkReason.PAY_FEE: ("Đi nộp phí, lệ phí", "Paying a fee"),
    ParkReason.FILL_FORM: ("Đi điền tờ khai", "Filling in a form"),
}


def park_reason_labels(reason: str | None) -> tuple[str, str] | None:
    """The Vietnamese and English words for a stored reason: a listed one's labels,
    another reason as written (in both)."""
    if not reason:
        return None
    try:
        return PARK_REASON_LABELS[ParkReason(reason)]
    except ValueError:
        return reason, reason


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
    #: How the hall hears numbers (``drivers.audio``): ``digits`` or ``number``, and the
    #: ``north`` ("linh", "nghìn") or ``south`` ("lẻ", "ngàn") words; a board's fleet
    #: configuration may override both.
    announcement_mode: str = "digits"
    announcement_variant: str = "north"
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
    #: Appointments: bookings per slot (0: none taken), slot length, days ahead bookable.
    appointment_capacity: int = 0
    slot_minutes: int = 30
    booking_days_ahead: int = 14
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
        self.normal_streak = streak_after(self.normal_streak, priority=bool(ticket.priority))


def streak_after(normal_streak: int, *, priority: bool) -> int:
    """Normal tickets called in a row once one more ticket is called: a priority call
    ends the run."""
    return 0 if priority else normal_streak + 1


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
    #: When it was last parked (kept after a resume: the entry was parked at least once).
    parked_at: datetime | None = None
    park_reason: str | None = None
    #: Whole seconds spent parked, over every park that ended; kept apart from the
    #: wait and the service time.
    parked_s: int = 0
    #: The issuing device's key for its request, kept so a repeat gets this ticket.
    request_key: str | None = None
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
        """A visitor back from a park was already being served: service began then."""
        self._move(TicketState.SERVING)
        self.serving_at = self.serving_at or now

    def park(self, reason: str, now: datetime) -> None:
        """Step away from the counter (``reason``); the number and its place stay."""
        self._move(TicketState.PARKED)
        self.parked_at = now
        self.park_reason = reason

    def resume_at(self, counter: Counter, officer_id: int | None, now: datetime) -> None:
        """Call a parked visitor back, to ``counter`` (any counter of the service).

        The first call's time stays (the wait ended then) and the time away adds to
        ``parked_s``, so neither the wait nor the service time counts it.
        """
        if self.state != TicketState.PARKED or self.parked_at is None:
            raise TicketNotParked(self.number)
        self._move(TicketState.CALLED)
        self.parked_s += max(0, round((now - self.parked_at).total_seconds()))
        self.counter_id = counter.id
        self.officer_id = officer_id
        self.recall_count = 0
        counter.current_ticket_id = self.id

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
        return service_time_s(
            self.state, self.called_at, self.serving_at, self.finished_at, self.parked_s
        )


def service_time_s(
    state: TicketState,
    called_at: datetime | None,
    serving_at: datetime | None,
    finished_at: datetime | None,
    parked_s: int = 0,
) -> float | None:
    """How long a finished ticket was served, from five columns alone (the waiting-time
    estimate reads just those, not whole tickets), time parked left out; None unless it
    was served to the end."""
    start = serving_at or called_at
    if start is None or finished_at is None or state != TicketState.DONE:
        return None
    return max(0.0, (finished_at - start).total_seconds() - parked_s)


STATE_LABELS_VI: dict[TicketState, str] = {
    TicketState.WAITING: "đang chờ",
    TicketState.CALLED: "đã gọi",
    TicketState.SERVING: "đang phục vụ",
    TicketState.DONE: "đã xong",
    TicketState.NO_SHOW: "vắng mặt",
    TicketState.TRANSFERRED: "đã chuyển",
    TicketState.CANCELLED: "đã hủy",
    TicketState.PARKED: "tạm chờ",
}


#: The numbers kiosks reserve for offline issuing, per service and day: their own band,
#: so leasing a block never makes the online sequence jump (A002 then A008) and the
#: numbers stay three digits. The online sequence steps over the band (A899, A1000).
RESERVED_FIRST = 900
RESERVED_LAST = 999


def steps_past_band(seq: int) -> int:
    """How far the online sequence steps on when ``seq`` landed in the reserved band (0
    outside it)."""
    return RESERVED_LAST + 1 - seq if RESERVED_FIRST <= seq <= RESERVED_LAST else 0


def online_count(seq: int) -> int:
    """How many numbers the online sequence handed out up to ``seq`` (the band is skipped)."""
    return seq - (RESERVED_LAST - RESERVED_FIRST + 1) if seq > RESERVED_LAST else seq


@dataclass(frozen=True)
class NumberBlock:
    """A run of one service's reserved band leased to one device (kiosk offline mode);
    blocks leased before the band existed hold numbers of the day sequence."""

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
    "RESERVED_FIRST",
    "RESERVED_LAST",
    "PARK_REASON_LABELS",
    "PRIORITY_CHECKS",
    "PRIORITY_LABELS",
    "ParkReason",
    "PriorityGroup",
    "PriorityPolicy",
    "STATE_LABELS_VI",
    "Service",
    "Site",
    "Ticket",
    "TicketState",
    "format_number",
    "online_count",
    "park_reason_labels",
    "service_time_s",
    "steps_past_band",
    "streak_after",
]
