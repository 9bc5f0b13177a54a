"""SMS lookup: "HS <code>" in, the dossier's status out, one SMS each.

:class:`SmsLookup` decides the reply (status, unknown code, malformed message,
too many requests); :class:`SmsResponder` drives any modem with the
:class:`SmsModem` shape (``drivers.gsm.modem.GsmModem`` or a fake) so this use
case imports no driver. Phone numbers are personal data: logs show only their
last three digits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from device_kit.contract.errors import InvalidDossierCode
from queue_server.dossiers import sms
from queue_server.runtime import Runtime
from queue_server.services.rate_limit import RateLimiter

log = logging.getLogger(__name__)
HOUR = 3600.0


class IncomingSms(Protocol):
    @property
    def index(self) -> int: ...
    @property
    def sender(self) -> str: ...
    @property
    def text(self) -> str: ...


class SmsModem(Protocol):
    def wait_message(self, timeout: float) -> int | None: ...
    def read(self, index: int) -> IncomingSms | None: ...
    def waiting(self) -> Sequence[IncomingSms]: ...
    def delete(self, index: int) -> None: ...
    def send(self, number: str, text: str) -> int: ...


def masked_number(number: str) -> str:
    return "*" * max(0, len(number) - 3) + number[-3:]


@dataclass
class SmsLookup:
    runtime: Runtime
    site_id: int
    per_hour: int = 6
    hotline: str | None = None
    limiter: RateLimiter = field(init=False)
    _warned: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.per_hour, HOUR)

    def answer(self, sender: str, text: str) -> str | None:
        """The reply to one message, or None when a flooding number was already warned."""
        if self.limiter.hit(sender, self.runtime.clock().timestamp()):
            if sender in self._warned:
                log.info("sms from %s dropped: over the limit", masked_number(sender))
                return None
            self._warned.add(sender)
            return sms.too_many_reply()
        self._warned.discard(sender)
        try:
            code = sms.parse_sms(text)
        except InvalidDossierCode:
            log.info("sms from %s holds no dossier code", masked_number(sender))
            return sms.malformed_reply()
        with self.runtime.uow(readonly=True) as uow:
            found = uow.dossiers.find(self.site_id, code)
        log.info(
            "sms lookup of %s from %s: %s",
            code,
            masked_number(sender),
            "found" if found else "unknown",
        )
        if found is None:
            return sms.unknown_reply(code, self.hotline)
        record = found.record
        return sms.status_reply(code, record.status, record.due_at, record.collect_at or None)


@dataclass
class SmsResponder:
    """Reads each new message, replies, and deletes it so the SIM never fills up."""

    modem: SmsModem
    lookup: SmsLookup
    #: What the modem raises for a reply it could not send (``drivers.errors.DriverError``
    #: for the real one; this use case imports no driver): logged, and the message is
    #: still deleted, so one unanswerable sender never stops the others nor fills the SIM.
    failures: tuple[type[Exception], ...] = ()

    def catch_up(self) -> int:
        """Answer the messages still on the SIM: those that arrived while the service
        was down, and one a failed turn read but did not answer."""
        pending = self.modem.waiting()
        for message in pending:
            self._handle(message)
        return len(pending)

    def run_once(self, timeout: float) -> bool:
        """Handle the next new message; False when none came within ``timeout``."""
        index = self.modem.wait_message(timeout)
        if index is None:
            return False
        message = self.modem.read(index)
        if message is not None:
            self._handle(message)
        return True

    def _handle(self, message: IncomingSms) -> None:
        reply = self.lookup.answer(message.sender, message.text)
        if reply is not None:
            try:
                self.modem.send(message.sender, reply)
            except self.failures as error:
                log.warning("reply to %s not sent: %s", masked_number(message.sender), error)
        self.modem.delete(message.index)
