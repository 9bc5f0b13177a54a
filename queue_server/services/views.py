"""Plain-dict views of domain objects, shared by the API and the event payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from queue_server.queueing.hours import NOT_ISSUING
from queue_server.queueing.model import (
    PRIORITY_CHECKS,
    PRIORITY_LABELS,
    Counter,
    PriorityGroup,
    Service,
    Ticket,
    park_reason_labels,
)


def ticket_view(ticket: Ticket, service: Service, counter: Counter | None = None) -> dict[str, Any]:
    group = PriorityGroup(ticket.priority) if ticket.priority else None
    labels = PRIORITY_LABELS.get(group) if group else None
    checks = PRIORITY_CHECKS.get(group) if group else None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": service.code,
        "service_name_vi": service.name_vi,
        "service_name_en": service.name_en,
        "priority": ticket.priority,
        "priority_label_vi": labels[0] if labels else None,
        "priority_label_en": labels[1] if labels else None,
        "priority_check_vi": checks[0] if checks else None,
        "priority_check_en": checks[1] if checks else None,
        "state": str(ticket.state),
        "source": ticket.source,
        "dossier_code": ticket.dossier_code,
        "issued_at": ticket.issued_at.isoformat(),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "finished_at": ticket.finished_at.isoformat() if ticket.finished_at else None,
        "counter": counter.number if counter else None,
        "counter_id": ticket.counter_id,
        "recall_count": ticket.recall_count,
    }


class TransferView(TypedDict):
    """One service a ticket left: which, at which counter, when."""

    service: str
    service_name_vi: str
    service_name_en: str
    counter: int | None
    at: str | None


def desk_ticket_view(
    ticket: Ticket,
    service: Service,
    counter: Counter | None,
    now: datetime,
    transfers: list[TransferView],
) -> dict[str, object]:
    """A ticket as the officer acts on it: the ticket, how long the visitor has waited
    since taking it (until called, for a called one) and the transfers it came through."""
    view = ticket_view(ticket, service, counter)
    waited = (ticket.called_at or now) - ticket.issued_at
    view.update(waited_s=max(0, int(waited.total_seconds())), transfers=transfers)
    return view


def transfer_view(entry: Ticket, service: Service, counter: Counter | None) -> TransferView:
    return {
        "service": service.code,
        "service_name_vi": service.name_vi,
        "service_name_en": service.name_en,
        "counter": counter.number if counter else None,
        "at": entry.finished_at.isoformat() if entry.finished_at else None,
    }


def parked_view(
    ticket: Ticket, service: Service, counter_number: int | None, now: datetime
) -> dict[str, object]:
    """A parked ticket on the console's list: why it stepped away, since when, and the
    counter that parked it (where the visitor will come back)."""
    labels = park_reason_labels(ticket.park_reason)
    parked_at = ticket.parked_at or now
    return {
        **ticket_view(ticket, service),
        "counter": counter_number,
        "park_reason": ticket.park_reason,
        "park_reason_vi": labels[0] if labels else None,
        "park_reason_en": labels[1] if labels else None,
        "parked_at": parked_at.isoformat(),
        "parked_for_s": max(0, round((now - parked_at).total_seconds())),
    }


def service_view(service: Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "code": service.code,
        "prefix": service.prefix,
        "name_vi": service.name_vi,
        "name_en": service.name_en,
        "hours": service.hours_spec,
        "hours_vi": service.hours.describe("vi"),
        "hours_en": service.hours.describe("en"),
        "daily_limit": service.daily_limit,
        "priority_policy": str(service.priority_policy),
        "interleave_every": service.interleave_every,
        "active": service.active,
    }


def opening_view(service: Service, local_now: datetime) -> dict[str, object]:
    """Whether the service issues tickets at ``local_now`` (site time) and, when it
    does not, when it opens, in both languages, for the kiosk's service buttons."""
    hours = service.hours
    if service.active and hours.is_open(local_now):
        return {"open_now": True, "opens_at": None, "opens_at_vi": "", "opens_at_en": ""}
    opening = hours.next_opening(local_now) if service.active else None
    return {
        "open_now": False,
        "opens_at": opening.isoformat() if opening else None,
        "opens_at_vi": hours.opens_at(local_now, "vi") if opening else NOT_ISSUING[0],
        "opens_at_en": hours.opens_at(local_now, "en") if opening else NOT_ISSUING[1],
    }


def counter_view(counter: Counter, service_codes: list[str]) -> dict[str, Any]:
    return {
        "id": counter.id,
        "number": counter.number,
        "name": counter.name,
        "state": str(counter.state),
        "pause_reason": counter.pause_reason,
        "officer_id": counter.officer_id,
        "services": service_codes,
    }
