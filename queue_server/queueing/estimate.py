"""Estimated waiting time from the recent pace of a service."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median


def estimate_wait_s(
    ahead: int,
    recent_service_s: Sequence[float],
    open_counters: int,
    default_service_s: float,
) -> int:
    """People ahead times the typical service time, shared by the open counters.

    The median of recent service times resists the odd ticket that took an hour;
    with no history the service's configured default stands in.
    """
    typical = median(recent_service_s) if recent_service_s else default_service_s
    return int(round(ahead * typical / max(open_counters, 1)))
