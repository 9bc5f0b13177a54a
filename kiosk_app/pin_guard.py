"""Back-off for the technician PIN: a kiosk stands in a public hall, where anyone
with time could try every four-digit PIN on its screen.

The :data:`LOCK_AFTER`-th wrong PIN in a row locks the PIN pad for a minute, and
every wrong PIN after a lock-out locks it again for twice as long, up to
:data:`LONGEST`. A right PIN starts over. The count is kept in a small
file beside the outbox, so pulling the plug gives no fresh tries, and on wall-clock
time, since a lock must outlast the process. No Kivy here.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk_app.config import pin_matches

log = logging.getLogger(__name__)

LOCK_AFTER = 5
FIRST = timedelta(minutes=1)
LONGEST = timedelta(minutes=15)
STATE_FILE = "pin-guard.json"


class PinAnswer(enum.StrEnum):
    OPEN = "open"
    WRONG = "wrong"
    LOCKED_OUT = "locked_out"  # this wrong PIN started a lock-out
    LOCKED = "locked"  # tried during a lock-out: not even checked


class PinGuard:
    def __init__(
        self, path: Path, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.path = path
        self.clock = clock
        self.failures = 0
        self.lockouts = 0
        self.locked_until: datetime | None = None
        self._load()

    def remaining(self) -> timedelta:
        """How long the PIN pad stays locked (zero when it is open)."""
        if self.locked_until is None:
            return timedelta(0)
        return max(timedelta(0), self.locked_until - self.clock())

    def try_pin(self, pin_hash: str | None, pin: str) -> PinAnswer:
        if self.remaining():
            return PinAnswer.LOCKED
        if pin_matches(pin_hash, pin):
            self.failures, self.lockouts, self.locked_until = 0, 0, None
            self._save()
            return PinAnswer.OPEN
        self.failures += 1
        answer = PinAnswer.WRONG
        if self.failures >= LOCK_AFTER:
            wait = min(FIRST * 2 ** min(self.lockouts, 10), LONGEST)
            self.locked_until = self.clock() + wait
            self.lockouts += 1
            answer = PinAnswer.LOCKED_OUT
            log.warning(
                "technician PIN: %d wrong in a row, locked for %s (lock-out %d)",
                self.failures, wait, self.lockouts,
            )
        self._save()
        return answer

    def _load(self) -> None:
        try:
            kept = json.loads(self.path.read_text("utf-8"))
            self.failures, self.lockouts = int(kept["failures"]), int(kept["lockouts"])
            until = kept.get("locked_until")
            self.locked_until = datetime.fromisoformat(until) if until else None
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged file must not open the pad: count it as a fresh lock-out.
            log.warning("technician PIN: %s unreadable; locking the PIN pad", self.path)
            self.failures, self.lockouts = LOCK_AFTER, 1
            self.locked_until = self.clock() + FIRST

    def _save(self) -> None:
        state = {
            "failures": self.failures,
            "lockouts": self.lockouts,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state), "utf-8")
        temporary.replace(self.path)
