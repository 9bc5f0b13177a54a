"""Time for the use cases, replaceable by tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_day(moment: datetime, timezone: str) -> str:
    """The working day a moment belongs to at the site, e.g. ``2026-11-24``."""
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


def at_site(moment: datetime, timezone: str) -> datetime:
    """``moment`` as a UTC instant; without an offset it is the site's wall-clock time,
    as a person at the centre means it. ``OverflowError`` when it leaves the calendar."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)
