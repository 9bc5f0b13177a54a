"""Where a board fetches the spoken announcement of a call (the address only).

A call event names its announcement by URL so a board that cannot synthesise
speech (a browser) plays what the server renders. The address says only what the
board already shows (the ticket number and the counter), which sentence to say,
and how the centre read numbers at the time of the call (``mode``, ``variant``):
a changed setting gives new addresses, so neither the board's browser nor a proxy
plays audio it cached under the old one.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import quote, urlencode

from device_kit.contract.events import EventKind

#: Where the API serves announcements (``queue_server.api.announcements``).
PREFIX = "/api/v1/announcements"


class Sentence(StrEnum):
    """Which announcement a call kind says (``drivers.audio.announcement`` templates)."""

    CALL = "call"
    RECALL = "recall"
    RETURN = "return"


SENTENCE_OF_KIND = {
    EventKind.TICKET_CALLED: Sentence.CALL,
    EventKind.TICKET_RECALLED: Sentence.RECALL,
    EventKind.TICKET_RESUMED: Sentence.RETURN,
}


def announcement_url(
    kind: str, number: str, counter: int, mode: str = "digits", variant: str = "north"
) -> str | None:
    """The audio of this call read as ``mode``/``variant`` (the site's setting), or
    None for a kind that is not a call."""
    sentence = SENTENCE_OF_KIND.get(EventKind(kind))
    if sentence is None:
        return None
    voice = urlencode({"mode": mode, "variant": variant})
    return f"{PREFIX}/{sentence}/{quote(number, safe='')}/{counter}.wav?{voice}"
