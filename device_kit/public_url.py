"""The address printed in a ticket's QR code must open on a visitor's phone.

A loopback address (``127.0.0.1``, ``localhost``, ``::1``) or an unspecified one
(``0.0.0.0``) never does, so it is never printed. Imports no Flask: the kiosk
uses it for the QR of tickets issued while the server is unreachable.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit


def is_local_host(host: str) -> bool:
    """True for a host name or address that only this machine can reach."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost") or not host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@functools.lru_cache(maxsize=64)
def public_or_none(url: str) -> str | None:
    """``url`` without its trailing slash, or None when a phone could not open it.
    Kept for the few addresses a server is called by: every issued ticket asks."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return None if is_local_host(host) else url.rstrip("/")
