"""The whole floor in one read, for boards and consoles that (re)synchronise."""

from __future__ import annotations

from typing import Any

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.model import Site
from queue_server.services.views import ticket_view


def queue_snapshot(uow: UnitOfWork, site: Site) -> dict[str, Any]:
    """Counts, current tickets and the last event id, read in one transaction so a
    client can stream events after ``last_event_id`` without a gap."""
    site_id = site.id or 0
    last_event_id = uow.repo.last_event_id(site_id)
    services = {s.id: s for s in uow.repo.services(site_id)}
    waiting = uow.repo.waiting_counts(site_id)
    current = uow.repo.current_tickets(site_id)
    counters = []
    for counter in uow.repo.counters(site_id):
        ticket = current.get(counter.id or 0)
        counters.append(
            {
                "id": counter.id,
                "number": counter.number,
                "name": counter.name,
                "state": str(counter.state),
                "pause_reason": counter.pause_reason,
                "current_ticket": ticket_view(ticket, services[ticket.service_id], counter)
                if ticket
                else None,
            }
        )
    return {
        "site": site.code,
        "last_event_id": last_event_id,
        "services": [
            {
                "code": service.code,
                "name_vi": service.name_vi,
                "name_en": service.name_en,
                "waiting": sum(waiting.get(service_id or 0, {}).values()),
                "waiting_priority": waiting.get(service_id or 0, {}).get("priority", 0),
            }
            for service_id, service in services.items()
        ],
        "counters": counters,
    }
