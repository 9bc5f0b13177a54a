"""Hardening that applies to every response and every log line.

- Security headers on every answer (pages set their own stricter CSP first).
- Signed-in browser sessions (the admin pages) end after ``SESSION_IDLE`` without
  a request and never outlive ``SESSION_MAX``.
- Log records are scrubbed of bearer tokens, passwords, tracking tokens, SQL
  parameters and 12/9-digit citizen ID numbers before any handler sees them
  (``drivers.logging_setup``; installed here too for apps built in-process).
- The client address for lockout and limits comes from ``X-Forwarded-For`` only
  when the peer is a trusted proxy (``MOTCUA_TRUSTED_PROXIES``, loopback by
  default), so a LAN client cannot spoof it; likewise whether the request came
  over TLS (``X-Forwarded-Proto``), which makes the session cookie ``Secure``.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from flask import Flask, Request, Response, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

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
    """The caller's address: the peer, or, when the peer is a trusted proxy, the
    nearest ``X-Forwarded-For`` entry that is not itself a trusted proxy."""
    peer = request.remote_addr or "unknown"
    if not _trusted(peer):
        return peer
    hops = [h.strip()[:64] for h in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop):
            return hop
    return peer


def came_over_tls() -> bool:
    """Whether the caller used TLS: to this server, or to a trusted proxy that says so
    in ``X-Forwarded-Proto``."""
    return _scheme() == "https"


class TlsAwareSessions(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over TLS, so a
    browser that reached the pages by HTTPS never sends it back in clear.

    Devices call with a bearer token and no cookie, on every ticket and every call:
    for them the session is a fresh empty one, made without the signing serializer,
    and nothing is written back (Flask builds both, and reads every cookie setting,
    before it looks whether there is a cookie at all)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or came_over_tls()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def request_base_url() -> str:
    """The server's address as the caller used it (``Host``); the scheme from
    ``X-Forwarded-Proto`` only when a trusted proxy sent it."""
    return f"{_scheme()}://{request.host}"


def _scheme() -> str:
    """``https`` or ``http``, as the caller reached this server or a trusted proxy."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
    if request.scheme == "https" or forwarded not in ("http", "https"):
        return request.scheme
    return forwarded if _trusted(request.remote_addr or "") else request.scheme


def _trusted(address: str) -> bool:
    """Whether ``address`` is one of ``MOTCUA_TRUSTED_PROXIES`` (loopback by default)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in current_runtime().settings.trusted_proxies)


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


_API_HEADERS = {**HEADERS, "Cache-Control": "no-store"}


def _add_headers(response: Response) -> Response:
    """The security headers a view did not set itself, in one pass over the response's
    headers (``setdefault`` for each walked them six times: 30 µs against 12)."""
    wanted = _API_HEADERS if request.path.startswith("/api/") else HEADERS
    present = {name.lower() for name in response.headers.keys()}
    response.headers.extend([(k, v) for k, v in wanted.items() if k.lower() not in present])
    return response
