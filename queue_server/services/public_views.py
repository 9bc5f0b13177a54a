"""What anonymous callers and device tokens may see: allow-lists per view and per event kind.

The domain views (:mod:`queue_server.services.views`) are for staff. Everything
else is cut from them here, by listing the fields that may go out: a field a
domain view gains later stays private until it is listed below, and an event
kind not listed is not streamed at all. Never listed: dossier codes, priority
groups, tracking tokens, a ticket's source (it names the staff member or device
that issued it), officer ids, actors, comments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from device_kit.contract.events import EventKind
from queue_server.services.auth import Principal, Role

#: The fields kept at one level; a nested shape for a dict (or each dict of a list),
#: None to keep the value as it is.
Shape = Mapping[str, "Shape | None"]

#: Who reads the full domain views: the people who work the floor and run the centre.
STAFF_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})


def fields(*names: str, **nested: Shape) -> Shape:
    return {**dict.fromkeys(names), **nested}


def shape(value: Any, allowed: Shape) -> Any:
    """``value`` (a dict, or a list of dicts) with only the ``allowed`` fields, at any depth."""
    if isinstance(value, list):
        return [shape(item, allowed) for item in value]
    if not isinstance(value, Mapping):
        return None
    kept: dict[str, Any] = {}
    for key, inner in allowed.items():
        if key not in value:
            continue
        item = value[key]
        kept[key] = item if inner is None or item is None else shape(item, inner)
    return kept


def sees_private(who: Principal | None) -> bool:
    """Staff user tokens read the whole views; anonymous callers, devices and
    technicians read the public ones."""
    return who is not None and who.device is None and who.role in STAFF_ROLES


#: A ticket on the hall board and the stream: its number, service, state and counter.
TICKET = fields(
    "id",
    "number",
    "service",
    "service_name_vi",
    "service_name_en",
    "state",
    "issued_at",
    "called_at",
    "finished_at",
    "counter",
    "counter_id",
    "recall_count",
)
#: A ticket read by a board or rating token: the public ticket and its place in the queue.
POSITION = fields(*TICKET, "ahead", "estimated_wait_s")
#: The visitor's phone behind the ticket QR: only this ticket's own facts.
TRACK = fields(
    "number",
    "service",
    "service_name_vi",
    "service_name_en",
    "state",
    "issued_at",
    "called_at",
    "counter",
    "ahead",
    "estimated_wait_s",
)
COUNTER = fields("id", "number", "name", "state", "pause_reason", "services", current_ticket=TICKET)
SNAPSHOT = fields(
    "site",
    "last_event_id",
    services=fields("code", "name_vi", "name_en", "waiting", "waiting_priority"),
    counters=COUNTER,
)

_AT_COUNTER = ("counter", "counter_id")
_TICKET_AT_COUNTER = fields(*_AT_COUNTER, ticket=TICKET)
#: A call also names its spoken announcement (``services.announcements``): the
#: number and the counter once more, as audio.
_CALL = fields(*_AT_COUNTER, "announcement", ticket=TICKET)

#: The event kinds streamed to everyone, each with its public payload. Sign-ins name
#: only the counter; configuration changes say only what to read again.
EVENTS: Mapping[str, Shape] = {
    EventKind.TICKET_ISSUED: TICKET,
    EventKind.TICKET_CALLED: _CALL,
    EventKind.TICKET_RECALLED: _CALL,
    EventKind.TICKET_SERVING: _TICKET_AT_COUNTER,
    EventKind.TICKET_FINISHED: _TICKET_AT_COUNTER,
    EventKind.TICKET_NO_SHOW: fields(*_AT_COUNTER, "reason", ticket=TICKET),
    EventKind.TICKET_TRANSFERRED: fields(
        *_AT_COUNTER, "to_service", "new_ticket_id", ticket=TICKET
    ),
    # Where the visitor stands, never why they stepped away (the reason is theirs).
    EventKind.TICKET_PARKED: _TICKET_AT_COUNTER,
    EventKind.TICKET_RESUMED: _CALL,
    EventKind.TICKET_RATED: fields(*_AT_COUNTER, "ticket_id", "number"),
    EventKind.COUNTER_PAUSED: fields(*_AT_COUNTER, "reason"),
    EventKind.COUNTER_RESUMED: fields(*_AT_COUNTER),
    EventKind.COUNTER_SIGNED_IN: fields(*_AT_COUNTER),
    EventKind.COUNTER_SIGNED_OUT: fields(*_AT_COUNTER),
    EventKind.CONFIG_CHANGED: fields("service", "counter"),
    EventKind.CONFIG_DEVICE: fields("device", "revision"),
    EventKind.DEVICES_HEALTH: fields(
        "device",
        "kind",
        "role",
        "problems",
        health=fields(
            "printer", "scanner", "camera", "serial", "audio", "version", "uptime_s", "role",
            "detail",
        ),
    ),
}


def is_public_kind(kind: str) -> bool:
    return kind in EVENTS


def public_event(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of a public event kind cut to its allow-list; {} for any other kind."""
    allowed = EVENTS.get(kind)
    return shape(payload, allowed) if allowed is not None else {}
