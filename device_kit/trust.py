"""Whether a device may talk to a server, decided before any byte of a request — and so
before any token — leaves the device.

- ``https://`` is always verified, names included, against the centre's CA: a CA file
  from the device's settings (``ca_file``, ``MOTCUA_CA_FILE``, the CA pinned at
  pairing), else the system's CAs (a public name with a publicly trusted certificate).
  Nothing turns verification off.
- ``http://`` only to loopback: the single-box centre, where nothing crosses a wire.
- A certificate failure is :class:`ServerUntrusted` naming the problem (expired, wrong
  name, unknown CA …), never "server unreachable".
- Pinning: the technician confirms the SHA-256 fingerprint of the centre's CA (the
  installer prints it, the fleet page shows it); the device fetches the CA the server
  publishes, compares, and keeps it as its CA file (:mod:`device_kit.pinning`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from device_kit.errors import ServerUntrusted

#: Where a server publishes its CA certificate (public, like any CA certificate).
CA_PATH = "/tls/ca.pem"

#: OpenSSL verify codes (``X509_V_ERR_*``) and the problem each one is.
_VERIFY_CODES = {
    2: "unknown_ca",  # unable to get issuer certificate
    9: "not_yet_valid",
    10: "expired",
    18: "unknown_ca",  # self-signed leaf
    19: "unknown_ca",  # self-signed certificate in chain
    20: "unknown_ca",  # unable to get local issuer certificate
    21: "unknown_ca",  # unable to verify the first certificate
    62: "wrong_name",  # hostname mismatch
    64: "wrong_name",  # IP address mismatch
}


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Trust:
    """How a device decides that a server is the centre's: the CA file, or the system CAs."""

    ca_file: Path | None = None

    @classmethod
    def from_settings(
        cls, ca_file: Path | str | None = None, env: Mapping[str, str] = os.environ
    ) -> Trust:
        """``ca_file`` when given, else ``MOTCUA_CA_FILE``, else the system CAs."""
        chosen = ca_file or env.get("MOTCUA_CA_FILE")
        return cls(Path(chosen) if chosen else None)

    def session(self) -> requests.Session:
        """A session that verifies against this trust and ignores the environment's
        proxies and CA bundle: a device talks to its server directly."""
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.ca_file) if self.ca_file else True
        return session

    def check(self, url: str) -> None:
        """Refuse, before anything is sent, what this trust cannot vouch for."""
        parts = urlsplit(url)
        if parts.scheme == "http" and is_loopback(parts.hostname or ""):
            return
        if parts.scheme != "https":
            raise ServerUntrusted("plain_http", url)
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ServerUntrusted("no_ca_file", str(self.ca_file))


def untrusted(error: BaseException) -> ServerUntrusted:
    """The certificate problem behind a TLS failure from requests / urllib3 / ssl."""
    for cause in _causes(error):
        if isinstance(cause, ssl.SSLCertVerificationError):
            problem = _VERIFY_CODES.get(cause.verify_code, "tls_error")
            return ServerUntrusted(problem, str(cause.verify_message))
    return ServerUntrusted("tls_error", str(error)[:200])


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps (args, ``reason``, cause, context)."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [*current.args, getattr(current, "reason", None)]
        wrapped += [current.__cause__, current.__context__]
        pending.extend(w for w in wrapped if isinstance(w, BaseException))


def fingerprint(pem: str) -> str:
    """SHA-256 of a PEM certificate, as ``openssl x509 -fingerprint -sha256`` prints it."""
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem.strip())).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def same_fingerprint(seen: str, expected: str) -> bool:
    """Compare fingerprints however they were typed (colons, spaces, case)."""

    def bare(text: str) -> bytes:
        return "".join(c for c in text.lower() if c in "0123456789abcdef").encode()

    return len(bare(expected)) == 64 and hmac.compare_digest(bare(seen), bare(expected))
