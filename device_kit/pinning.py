"""Trust on first pairing: the device takes the centre's CA only when its SHA-256
fingerprint is the one the technician confirmed, keeps it as its CA file, and from
then on verifies every connection against it (:class:`device_kit.client.Trust`).

The CA certificate is fetched without verification — it is public, and only the
fingerprint comparison makes it trusted — and the fetch carries no token.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from device_kit.client import QueueClient
from device_kit.errors import ServerUnreachable, ServerUntrusted
from device_kit.trust import CA_PATH, Trust, fingerprint, same_fingerprint, untrusted

#: The pinned CA's file name, kept beside the device's ``pairing.json``.
PINNED_CA_FILE = "server-ca.pem"

#: One pin at a time per process: the fleet, the stream and the screen may all ask.
_PINNING = threading.Lock()


def fetch_ca(server_url: str, timeout: float = 5.0) -> str:
    """The CA certificate (PEM) the server publishes at ``/tls/ca.pem``, unverified."""
    parts = urlsplit(server_url)
    if parts.scheme != "https" or not parts.hostname:
        raise ServerUntrusted("plain_http", server_url)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # what arrives is checked by its fingerprint
    connection = http.client.HTTPSConnection(
        parts.hostname, parts.port or 443, timeout=timeout, context=context
    )
    try:
        connection.request("GET", parts.path.rstrip("/") + CA_PATH)
        response = connection.getresponse()
        body = response.read(64 * 1024).decode("ascii", errors="replace")
    except ssl.SSLError as exc:  # something answers, but not with TLS we can speak
        raise untrusted(exc) from exc
    except (OSError, http.client.HTTPException) as exc:  # HTTPException: not HTTP at all
        raise ServerUnreachable(f"GET {CA_PATH}: {type(exc).__name__}") from exc
    finally:
        connection.close()
    if response.status != 200 or "BEGIN CERTIFICATE" not in body:
        raise ServerUntrusted("unknown_ca", f"the server publishes no CA at {CA_PATH}")
    return body


def server_ca_fingerprint(server_url: str) -> str:
    """The fingerprint a device shows on its pairing screen, for the technician to
    compare with the one on the fleet page before confirming it."""
    return published_fingerprint(fetch_ca(server_url))


def published_fingerprint(pem: str) -> str:
    """The fingerprint of the CA a server published; one that is no certificate is
    :class:`ServerUntrusted`, which the pairing screen shows, not a crash of its thread."""
    try:
        return fingerprint(pem)
    except ValueError as exc:
        raise ServerUntrusted("unknown_ca", "the published CA is not a certificate") from exc


def pin_ca(server_url: str, expected: str, store: Path) -> Trust:
    """Keep the server's CA in ``store`` when its fingerprint is ``expected`` and the
    server's certificate verifies against it (names included); the trust to use."""
    pem = fetch_ca(server_url)
    seen = published_fingerprint(pem)
    if not same_fingerprint(seen, expected):
        raise ServerUntrusted("fingerprint_mismatch", f"the server's CA is {seen}")
    store.parent.mkdir(parents=True, exist_ok=True)
    candidate = store.with_suffix(".new")
    candidate.write_text(pem, "ascii")
    try:
        check_server(server_url, Trust(candidate))
    except Exception:
        candidate.unlink(missing_ok=True)
        raise
    candidate.replace(store)
    return Trust(store)


def check_server(server_url: str, trust: Trust) -> dict[str, Any]:
    """The server's ``/api/v1/health`` over a verified connection, without a token."""
    with QueueClient(server_url, trust=trust) as client:
        return client.health()


def trust_for(
    server_url: str, *, ca_file: Path | None = None, fingerprint: str | None = None,
    store: Path | None = None,
) -> Trust:
    """The trust a device or a technician's command uses: with a ``fingerprint``, the
    server's CA checked against it (kept in ``store`` when given); else the CA file."""
    if fingerprint:
        if store is None:
            raise ValueError("a pinned CA needs a file to be kept in")
        return pin_ca(server_url, fingerprint, store)
    return Trust.from_settings(ca_file)


@dataclass(frozen=True)
class PinnedTrust(Trust):
    """A CA file that must carry ``fingerprint``. When the file is the device's own pin
    store (``fetch``), a missing one — or one left by another fingerprint — is fetched
    from the server and kept only if it matches, on the first request; a CA file the
    technician gave is never replaced, only refused when it does not match."""

    fingerprint: str = ""
    fetch: bool = True

    def check(self, url: str) -> None:
        if urlsplit(url).scheme != "https":
            super().check(url)  # loopback http passes; anything else is refused
            return
        with _PINNING:
            if self._holds_fingerprint():
                return
            if not self.fetch:
                seen = self._file_fingerprint() or "unreadable"
                raise ServerUntrusted("fingerprint_mismatch", f"{self.ca_file} is {seen}")
            assert self.ca_file is not None
            pin_ca(url, self.fingerprint, self.ca_file)

    def _file_fingerprint(self) -> str | None:
        try:
            return fingerprint(self.ca_file.read_text("ascii")) if self.ca_file else None
        except (OSError, ValueError):
            return None

    def _holds_fingerprint(self) -> bool:
        seen = self._file_fingerprint()
        return seen is not None and same_fingerprint(seen, self.fingerprint)
