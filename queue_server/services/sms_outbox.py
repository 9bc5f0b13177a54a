"""Sending the SMS outbox (booking confirmations, reminders) through the GSM modem.

The booking writes its messages in its own transaction; the one process that owns the
modem (``motcua-server sms-lookup``) sends those due between incoming messages. A
message is marked sent after the modem confirmed it, so one lost in a crash goes
again (at least once); a failed one is tried again up to ``MAX_ATTEMPTS`` times.
Phone numbers are personal data: logs show only their last three digits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from queue_server.runtime import Runtime
from queue_server.services.sms_lookup import masked_number
from queue_server.services.unit_of_work import run

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class SmsSender(Protocol):
    def send(self, number: str, text: str) -> int: ...


@dataclass
class SmsOutbox:
    runtime: Runtime
    #: What the modem raises for a message it could not send (``drivers.errors.DriverError``
    #: for the real one; this use case imports no driver): counted as a failed attempt.
    failures: tuple[type[Exception], ...] = ()
    batch: int = 20

    def send_due(self, modem: SmsSender) -> int:
        """Send the messages due now; returns how many the modem confirmed."""
        now = self.runtime.clock()
        with self.runtime.uow(readonly=True) as uow:
            due = uow.appointments.due_sms(now, self.batch, MAX_ATTEMPTS)
        sent = 0
        for message in due:
            try:
                modem.send(message.phone, message.body)
            except self.failures as error:
                log.warning(
                    "%s sms to %s not sent: %s", message.kind, masked_number(message.phone), error
                )
                at: datetime | None = None
            else:
                at = self.runtime.clock()
                sent += 1
            self._note(message.id, at)
        return sent

    def _note(self, sms_id: int, sent_at: datetime | None) -> None:
        run(self.runtime.uow, lambda uow: uow.appointments.sms_done(sms_id, sent_at))
