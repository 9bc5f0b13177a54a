"""The SMS service: the one process that owns the GSM modem answers dossier lookups
and sends the outbox (booking confirmations, reminders) all day, whatever the modem
or the database does meanwhile.

A turn waits for the next message, answers it and sends what is due. A modem that
vanished is reopened (for about an hour; then the process ends and systemd starts it
again). A turn that failed otherwise (the database away, the modem silent) is tried
again after a pause. After either, the messages still on the SIM are answered first:
one that a failed turn had read is no longer "new" to the modem, only still there.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError

from drivers.errors import DeviceDisconnected, DriverError
from drivers.gsm.modem import GsmModem
from queue_server.services.sms_lookup import SmsResponder
from queue_server.services.sms_outbox import SmsOutbox

log = logging.getLogger(__name__)

#: About an hour of reopening a vanished modem, the back-off growing to 30 s.
REOPEN_ATTEMPTS = 130


def serve(
    modem: GsmModem,
    responder: SmsResponder,
    outbox: SmsOutbox,
    stop: threading.Event,
    *,
    wait_s: float = 30.0,
    pause_s: float = 5.0,
) -> None:
    """Take turns until ``stop`` is set; a turn waits up to ``wait_s`` for a message."""
    behind = False
    while not stop.is_set():
        try:
            if behind:
                log.info("%d messages left on the SIM answered", responder.catch_up())
                behind = False
            responder.run_once(timeout=wait_s)
            outbox.send_due(modem)
        except DeviceDisconnected as exc:
            log.warning("GSM modem gone (%s); reopening", exc)
            modem.reconnect(attempts=REOPEN_ATTEMPTS, maximum=30.0)
            behind = True
        except (DriverError, SQLAlchemyError) as exc:
            log.warning("SMS turn failed (%s); trying again in %.0f s", exc, pause_s)
            stop.wait(pause_s)
            behind = True
