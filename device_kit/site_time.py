"""The centre's wall time for a device's screen. A box's own zone may be UTC (a fresh
install) or wrong, while tickets, calendars and reports use the site's, which the
server gives in ``GET /api/v1/site`` (``timezone``)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from device_kit.contract.site_zone import DEFAULT_ZONE

log = logging.getLogger(__name__)


def site_zone(site: Mapping[str, Any]) -> ZoneInfo:
    """The site's zone; Vietnam's until the site is read, or if its name is unknown here."""
    return _zone(str(site.get("timezone") or DEFAULT_ZONE))


def site_time(site: Mapping[str, Any], instant: datetime) -> datetime:
    """``instant`` (aware) as the centre's clocks show it."""
    return instant.astimezone(site_zone(site))


@functools.cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        log.warning("unknown time zone %r from the server; showing %s", name, DEFAULT_ZONE)
        return ZoneInfo(DEFAULT_ZONE)
