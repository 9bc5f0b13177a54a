"""The event kinds of the server's durable log and stream, and which of them move
what a board shows. The server records these kinds; the Kivy board, the LED
bridge, the rating terminal and the browser pages follow them (the pages get the
lists through the base template, so JavaScript never spells a kind of its own).
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    TICKET_ISSUED = "ticket.issued"
    TICKET_CALLED = "ticket.called"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_SERVING = "ticket.serving"
    TICKET_FINISHED = "ticket.finished"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_TRANSFERRED = "ticket.transferred"
    TICKET_CANCELLED = "ticket.cancelled"
    TICKET_RATED = "ticket.rated"
    #: The visitor stepped away for a moment (keeps the number); the counter is free.
    TICKET_PARKED = "ticket.parked"
    #: A parked visitor is called back to a counter: "Mời quay lại quầy …".
    TICKET_RESUMED = "ticket.resumed"
    COUNTER_PAUSED = "counter.paused"
    COUNTER_RESUMED = "counter.resumed"
    COUNTER_SIGNED_IN = "counter.signed_in"
    COUNTER_SIGNED_OUT = "counter.signed_out"
    CALENDAR_CHANGED = "calendar.changed"
    #: Appointments: a slot booked or cancelled, bookings released unused.
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_MISSED = "appointment.missed"
    CONFIG_CHANGED = "config.changed"
    CONFIG_DEVICE = "config.device"
    DEVICES_HEALTH = "devices.health"
    DEVICES_CONFIGURED = "devices.configured"
    ACCOUNTS_CHANGED = "accounts.changed"
    BLOCK_LEASED = "block.leased"
    DOSSIERS_IMPORTED = "dossiers.imported"
    PROCEDURES_IMPORTED = "procedures.imported"
    PROCEDURE_VOCABULARY_SAVED = "procedures.vocabulary_saved"
    DOSSIERS_PUSH_REFUSED = "dossiers.push_refused"
    SECURITY_COUNTER_TAKEOVER_REFUSED = "security.counter_takeover_refused"
    SECURITY_DEVICE_BINDING_REFUSED = "security.device_binding_refused"


#: A number called to a counter: announced, shown on the counter's tile.
CALL_KINDS = frozenset(
    {EventKind.TICKET_CALLED, EventKind.TICKET_RECALLED, EventKind.TICKET_RESUMED}
)
#: The ticket on a counter's tile is gone (served, absent, sent elsewhere, parked).
CLEARING_KINDS = frozenset(
    {
        EventKind.TICKET_FINISHED,
        EventKind.TICKET_NO_SHOW,
        EventKind.TICKET_TRANSFERRED,
        EventKind.TICKET_PARKED,
    }
)
#: What the floor's pages follow (board, counter console, tracking page).
FLOOR_KINDS = (
    EventKind.TICKET_ISSUED,
    EventKind.TICKET_CALLED,
    EventKind.TICKET_RECALLED,
    EventKind.TICKET_SERVING,
    EventKind.TICKET_FINISHED,
    EventKind.TICKET_NO_SHOW,
    EventKind.TICKET_TRANSFERRED,
    EventKind.TICKET_CANCELLED,
    EventKind.TICKET_PARKED,
    EventKind.TICKET_RESUMED,
    EventKind.COUNTER_PAUSED,
    EventKind.COUNTER_RESUMED,
    EventKind.COUNTER_SIGNED_IN,
    EventKind.COUNTER_SIGNED_OUT,
    EventKind.CONFIG_CHANGED,
)


def for_pages() -> dict[str, list[str] | dict[str, str]]:
    """The lists the browser pages need, as plain strings for JSON; ``named``: every
    kind by its member name, so a page tests ``EVENT_KINDS.named.COUNTER_PAUSED``
    instead of spelling the kind."""
    return {
        "floor": [str(kind) for kind in FLOOR_KINDS],
        "call": sorted(CALL_KINDS),
        "clearing": sorted(CLEARING_KINDS),
        "named": {kind.name: kind.value for kind in EventKind},
    }
