"""REST API v1: one module per resource, all on one blueprint."""

from queue_server.api import (
    admin,
    announcements,
    appointments,
    audit,
    auth,
    catalog,
    counters,
    devices,
    dossiers,
    events,
    health,
    leases,
    procedures,
    queue,
    ratings,
    reports,
    tickets,
)
from queue_server.api.blueprint import bp

__all__ = [
    "admin",
    "announcements",
    "appointments",
    "audit",
    "auth",
    "bp",
    "catalog",
    "counters",
    "devices",
    "dossiers",
    "events",
    "health",
    "leases",
    "procedures",
    "queue",
    "ratings",
    "reports",
    "tickets",
]
