"""Signed pushes from the one-stop system: HMAC-SHA256 over timestamp and body.

The sender puts the Unix time in ``X-Motcua-Timestamp`` and
``sha256=<hex HMAC of "<timestamp>.<body>">`` in ``X-Motcua-Signature``. A
request is refused when the signature does not match, when the timestamp is
further than the tolerance from now (a captured request cannot be replayed
later) and, checked by the caller against stored digests, when the same signed
request arrives twice inside the tolerance.
"""

from __future__ import annotations

import hashlib
import hmac

from queue_server.dossiers.errors import WebhookRefused

TIMESTAMP_HEADER = "X-Motcua-Timestamp"
SIGNATURE_HEADER = "X-Motcua-Signature"
SCHEME = "sha256="


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def verify(
    secret: bytes,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance_s: float,
) -> str:
    """Check one push; return the digest that identifies it for replay detection."""
    if not timestamp or not signature:
        raise WebhookRefused("unsigned")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        raise WebhookRefused("bad_signature")
    try:
        sent = int(timestamp)
    except ValueError:
        raise WebhookRefused("bad_timestamp") from None
    if abs(now - sent) > tolerance_s:
        raise WebhookRefused("stale_timestamp")
    return hashlib.sha256(signature.strip().encode()).hexdigest()
