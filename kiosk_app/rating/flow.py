"""The rating terminal's flow, without Kivy or I/O.

Idle (the counter and the officer on duty) -> the officer finishes a ticket ->
ask "Ông/Bà có hài lòng với việc giải quyết?" -> a face is touched (or a rating
key pressed on the counter keypad) -> reasons when not satisfied -> sending ->
thanks -> idle. Asking times out after 30 s; a not-satisfied answer whose
reasons are never confirmed is sent without reasons when time runs out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from device_kit.contract.events import EventKind
from device_kit.contract.rating_levels import QuickLevel, Reason, quick_levels
from device_kit.event_stream import Event

ASK_TIMEOUT_S = 30.0
THANKS_S = 5.0
MESSAGE_S = 8.0

QUESTION_VI = "Ông/Bà có hài lòng với việc giải quyết?"
QUESTION_EN = "Are you satisfied with how your matter was handled?"


class Step(enum.StrEnum):
    IDLE = "idle"
    ASK = "ask"
    REASONS = "reasons"
    SENDING = "sending"
    THANKS = "thanks"
    MESSAGE = "message"


@dataclass(frozen=True)
class Submission:
    """What to send to ``POST /api/v1/ratings``."""

    ticket_id: int
    level: QuickLevel
    reasons: tuple[str, ...] = ()


@dataclass
class RatingFlow:
    """One terminal paired to ``counter`` (its number); times on a monotonic clock."""

    counter: int
    levels: tuple[QuickLevel, ...] = field(default_factory=quick_levels)
    step: Step = Step.IDLE
    ticket_id: int | None = None
    ticket_number: str = ""
    level: QuickLevel | None = None
    reasons: set[str] = field(default_factory=set)
    message_vi: str = ""
    message_en: str = ""
    deadline: float = 0.0

    # inputs ------------------------------------------------------------------------
    def on_event(self, event: Event, now: float) -> None:
        """A ticket finished at this counter: ask (a new one replaces an unanswered one)."""
        if event.kind != EventKind.TICKET_FINISHED or event.data.get("counter") != self.counter:
            return
        ticket = event.data.get("ticket") or {}
        if not isinstance(ticket.get("id"), int) or self.step is Step.SENDING:
            return
        self.ticket_id, self.ticket_number = ticket["id"], ticket.get("number", "")
        self.level, self.reasons = None, set()
        self._go(Step.ASK, now + ASK_TIMEOUT_S)

    def choose(
        self, level: QuickLevel, now: float, *, with_reasons: bool = True
    ) -> Submission | None:
        """A face was touched (``with_reasons``) or a keypad key pressed (no reason list)."""
        if self.step is not Step.ASK or self.ticket_id is None:
            return None
        self.level = level
        if level.asks_reasons and with_reasons:
            self._go(Step.REASONS, now + ASK_TIMEOUT_S)
            return None
        return self._send()

    def toggle_reason(self, code: str, now: float) -> None:
        if self.step is Step.REASONS and code in {r.code for r in Reason}:
            self.reasons ^= {code}
            self.deadline = now + ASK_TIMEOUT_S

    def confirm_reasons(self) -> Submission | None:
        return self._send() if self.step is Step.REASONS else None

    def tick(self, now: float) -> Submission | None:
        """Time passes: unanswered questions go back to idle, thanks fade out."""
        if self.step is Step.IDLE or self.step is Step.SENDING or now < self.deadline:
            return None
        if self.step is Step.REASONS:
            return self._send()
        self._idle()
        return None

    def move_to(self, counter: int) -> None:
        """The terminal now serves ``counter``: a question left for the old one is dropped."""
        if counter != self.counter:
            self.counter = counter
            self._idle()

    # results of a submission ---------------------------------------------------------
    def sent(self, now: float) -> None:
        self._go(Step.THANKS, now + THANKS_S)

    def refused(self, message_vi: str, message_en: str, now: float) -> None:
        """The server said no (already rated, not served...) or could not be reached."""
        self.message_vi, self.message_en = message_vi, message_en
        self._go(Step.MESSAGE, now + MESSAGE_S)

    # ------------------------------------------------------------------------------
    def _send(self) -> Submission:
        assert self.ticket_id is not None and self.level is not None
        self.step = Step.SENDING
        return Submission(self.ticket_id, self.level, tuple(sorted(self.reasons)))

    def _go(self, step: Step, deadline: float) -> None:
        self.step, self.deadline = step, deadline

    def _idle(self) -> None:
        self.step, self.deadline = Step.IDLE, 0.0
        self.ticket_id, self.ticket_number, self.level = None, "", None
        self.reasons = set()
        self.message_vi = self.message_en = ""

    def seconds_left(self, now: float) -> int:
        return max(0, int(self.deadline - now + 0.999)) if self.deadline else 0
