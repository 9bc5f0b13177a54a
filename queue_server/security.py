"""Hardening that applies to every response and every log line.

- Security headers on every answer (pages set their own stricter CSP first).
- Signed-in browser sessions (the admin pages) end after ``SESSION_IDLE`` without
  a request and never outlive ``SESSION_MAX``.
- Log records are scrubbed of bearer tokens, passwords, tracking tokens, SQL
  parameters and 12/9-digit citizen ID numbers before any handler sees them
  (``drivers.logging_setup``; installed here too for apps built in-process).
- The client address for lockout comes from ``X-Forwarded-For`` only when the
  peer is the local reverse proxy, so a LAN client cannot spoof it; likewise
  whether the request came over TLS (``X-Forwarded-Proto``), which makes the
  session cookie ``Secure``.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from flask import Flask, Response, request, session
from flask.sessions import SecureCookieSessionInterface

from drivers.logging_setup import install_redaction
from drivers.logging_setup import redact as redact  # the audit log masks with it too
from queue_server.flask_runtime import current_runtime

#: Pages load only their own scripts and styles; a tracking link (its token is in the
#: URL) never leaks through the Referer.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=12)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(), microphone=(), payment=()",
}

def init_app(app: Flask) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_IDLE
    app.session_interface = TlsAwareSessions()
    app.before_request(_expire_idle_session)
    app.after_request(_add_headers)
    install_redaction()


def client_address() -> str:
    """The caller's address; trusts ``X-Forwarded-For`` only from a loopback peer."""
    peer = request.remote_addr or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if _from_local_proxy() and forwarded:
        return forwarded.split(",")[-1].strip()[:64] or peer
    return peer


def came_over_tls() -> bool:
    """Whether the caller used TLS: to this server, or to the local proxy that says so
    in ``X-Forwarded-Proto`` (trusted only from a loopback peer)."""
    if request.scheme == "https":
        return True
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return _from_local_proxy() and forwarded.split(",")[-1].strip().lower() == "https"


class TlsAwareSessions(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over TLS, so a
    browser that reached the pages by HTTPS never sends it back in clear."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or came_over_tls()


def request_base_url() -> str:
    """The server's address as the caller used it (``Host``); the scheme from
    ``X-Forwarded-Proto`` only when the local proxy sent it."""
    scheme = request.scheme
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    if forwarded in ("http", "https") and _from_local_proxy():
        scheme = forwarded
    return f"{scheme}://{request.host}"


def _from_local_proxy() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _expire_idle_session() -> None:
    if not session:
        return
    now = current_runtime().clock().timestamp()
    started = session.setdefault("started", now)
    seen = session.get("seen", now)
    if now - seen > SESSION_IDLE.total_seconds() or now - started > SESSION_MAX.total_seconds():
        session.clear()
        return
    session["seen"] = now
    session.permanent = True


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
