"""Per-caller rate limits for public endpoints, all keyed the same way.

A paired device is counted by its token's name (a kiosk has its own, larger
budget); anyone else by the trusted client address from
:func:`queue_server.security.client_address`, never by the TCP peer, which is
the reverse proxy for every visitor behind it. New public endpoints call
:func:`throttle` rather than keeping their own buckets or reading
``request.remote_addr``.
"""

from __future__ import annotations

from flask import current_app

from queue_server.api.context import principal
from queue_server.security import client_address
from queue_server.services.rate_limit import RateLimiter


def caller_key() -> str:
    """Who is counted: ``device:<name>`` for a paired device, else ``address:<ip>``."""
    who = principal()
    if who is not None and who.device is not None:
        return f"device:{who.name}"
    return f"address:{client_address()}"


def limiter(name: str, capacity: int, period_s: float) -> RateLimiter:
    """One limiter per name and size, kept by the app (created on first use)."""
    limiters: dict[tuple[str, int, float], RateLimiter] = current_app.extensions.setdefault(
        "motcua.rate_limits", {}
    )
    key = (name, capacity, period_s)
    if key not in limiters:
        limiters[key] = RateLimiter(capacity, period_s)
    return limiters[key]


def throttle(name: str, capacity: int, period_s: float, now: float) -> int:
    """Count one hit of the caller against ``name``; 0 when allowed, else seconds to wait."""
    return limiter(name, capacity, period_s).hit(caller_key(), now)
