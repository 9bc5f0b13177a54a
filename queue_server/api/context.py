"""Per-request facts for API views: the caller, their site, a unit of work, the
keyed hash of a citizen ID number sent."""

from __future__ import annotations

from flask import g, request

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.citizen_id import NotAnIdNumber
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.appointments import InvalidIdNumber
from queue_server.queueing.model import Site
from queue_server.services.auth import (
    AuthError,
    DeviceKind,
    Forbidden,
    Permission,
    Principal,
    resolve_token,
)
from queue_server.services.counter_actions import Actor
from queue_server.services.site_ref import SiteRef


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def principal() -> Principal | None:
    """The caller behind the bearer token, or None for an anonymous request."""
    if "principal" not in g:
        token = bearer_token()
        if token is None:
            g.principal = None
        else:
            runtime = current_runtime()
            g.principal = resolve_token(runtime.token_holders, token, runtime.clock())
    return g.principal


def authorize(permission: Permission) -> Principal:
    who = principal()
    if who is None:
        raise AuthError()
    who.require(permission)
    return who


def kiosk(refusal: str, refusal_vi: str) -> Principal:
    """The calling kiosk; any other caller is refused with the reason given."""
    who = authorize(Permission.ISSUE)
    if who.device is not DeviceKind.KIOSK:
        raise Forbidden(refusal, refusal_vi)
    return who


def id_hash(id_number: str) -> str:
    """The keyed hash of an ID number sent; the number itself goes no further than here."""
    try:
        return current_runtime().id_key.digest(id_number)
    except NotAnIdNumber:
        raise InvalidIdNumber() from None


def actor() -> Actor:
    who = principal()
    if who is None:
        return Actor("anonymous")
    return Actor(who.label, who.user_id)


def site_ref() -> SiteRef:
    """The caller's site; anonymous callers name one with ``?site=`` or get the default."""
    who = principal()
    requested = request.args.get("site")
    if who is not None:
        return SiteRef(site_id=who.site_id, code=requested)
    return SiteRef(code=requested or current_runtime().settings.default_site)


def current_site(uow: UnitOfWork) -> Site:
    """The caller's site, read in ``uow`` (see :func:`site_ref`)."""
    return site_ref().load(uow)
