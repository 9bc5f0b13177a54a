"""Dossier lookup (public, rate-limited), a citizen's dossiers by ID card (kiosks),
the upstream push webhook, file import, feed status and the working-calendar
overrides."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, Field

from device_kit.contract.errors import DossierError
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.api.blueprint import bp
from queue_server.api.context import actor, current_site, id_hash, kiosk, principal, site_ref
from queue_server.api.errors import ApiError, refusal_body
from queue_server.api.spec import endpoint
from queue_server.api.throttle import caller_key, throttle
from queue_server.dossiers.connectors import webhook
from queue_server.dossiers.errors import TooManyLookups, WebhookRefused
from queue_server.flask_runtime import current_runtime
from queue_server.import_process import ImportKind, ImportRequest, run_import
from queue_server.security import client_address
from queue_server.services.auth import Permission
from queue_server.services.dossier_feeds import accept_push, feed_report, note_push_refused
from queue_server.services.dossier_lookup import citizen_dossiers, lookup_dossier
from queue_server.services.dossier_settings import DossierSection, load_dossier_settings
from queue_server.services.site_ref import run_step
from queue_server.services.working_calendar import YearView, set_year, year_view

log = logging.getLogger(__name__)
MINUTE = 60.0
SETTINGS_TTL_S = 10.0


@bp.errorhandler(DossierError)
def _dossier_error(exc: DossierError) -> tuple[Response, int]:
    response, status = jsonify(refusal_body(exc)), exc.status
    if isinstance(exc, TooManyLookups):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response, status


class LookupQuery(BaseModel):
    q: str = Field(min_length=1, max_length=4400, description="dossier code or QR payload")


def _lookup_settings(uow: UnitOfWork, site_id: int) -> DossierSection:
    """The site's dossier settings, re-read at most every ``SETTINGS_TTL_S`` seconds.

    They change only when a site file is loaded; reading them on every public
    lookup would add a query to the hottest route.
    """
    cache: dict[int, tuple[float, DossierSection]] = current_app.extensions.setdefault(
        "motcua.dossier_settings", {}
    )
    now = time.monotonic()
    cached = cache.get(site_id)
    if cached is None or now - cached[0] > SETTINGS_TTL_S:
        cached = (now, load_dossier_settings(uow, site_id))
        cache[site_id] = cached
    return cached[1]


def _throttle(settings: DossierSection, now: float) -> None:
    """A paired device has its own, larger budget; anyone else is counted per client."""
    who = principal()
    device = who is not None and who.device is not None
    per_minute = settings.device_lookups_per_minute if device else settings.lookups_per_minute
    wait = throttle("dossier_lookup", per_minute, MINUTE, now)
    if wait:
        log.warning("dossier lookups throttled for %s", caller_key())
        raise TooManyLookups(wait)


@endpoint(
    bp,
    "/dossiers/lookup",
    "GET",
    summary="Public dossier status by code or receipt QR payload (rate-limited)",
    tag="dossiers",
    query=LookupQuery,
    responses={200: "Public view with the data age", 404: "Unknown code", 429: "Too many"},
)
def lookup(query: LookupQuery) -> Any:
    runtime = current_runtime()
    now = runtime.clock()
    with runtime.uow(readonly=True) as uow:
        site = current_site(uow)
        _throttle(_lookup_settings(uow, site.id or 0), now.timestamp())
        return jsonify(lookup_dossier(uow, site.id or 0, query.q, now))


class CitizenQuery(BaseModel):
    id_number: str = Field(
        min_length=1, max_length=40, description="the 12-digit ID number read from the card"
    )


@endpoint(
    bp,
    "/citizens/dossiers",
    "POST",
    summary="A citizen's dossiers by the ID number on their card (kiosks only, rate-limited)",
    tag="dossiers",
    permission=Permission.ISSUE,
    body=CitizenQuery,
    responses={
        200: "The public view of each dossier, newest first (may be empty)",
        401: "Anonymous",
        403: "Not a kiosk",
        429: "Too many",
    },
)
def citizen_dossier_list(body: CitizenQuery) -> Any:
    """The number is hashed at once and is never logged, stored or echoed back."""
    kiosk(
        "Only a kiosk looks up a citizen's dossiers by ID card.",
        "Chỉ ki-ốt mới được tra cứu hồ sơ theo thẻ căn cước.",
    )
    holder = id_hash(body.id_number)
    runtime = current_runtime()
    now = runtime.clock()
    with runtime.uow(readonly=True) as uow:
        site = current_site(uow)
        per_minute = _lookup_settings(uow, site.id or 0).citizen_lookups_per_minute
        wait = throttle("citizen_dossiers", per_minute, MINUTE, now.timestamp())
        if wait:
            log.warning("citizen dossier lookups throttled for %s", caller_key())
            raise TooManyLookups(wait)
        return jsonify(dossiers=citizen_dossiers(uow, site.id or 0, holder, now))


@endpoint(
    bp,
    "/dossiers/webhook",
    "POST",
    summary="Signed push of dossiers from the one-stop system (HMAC-SHA256)",
    tag="dossiers",
    responses={200: "Rows mirrored", 401: "Bad signature, stale or replayed", 422: "Bad rows"},
)
def push() -> Any:
    runtime = current_runtime()
    body = request.get_data(cache=True)
    headers = {
        h: request.headers.get(h) for h in (webhook.TIMESTAMP_HEADER, webhook.SIGNATURE_HEADER)
    }
    address = client_address()
    try:
        rows = run_step(
            runtime.uow, site_ref(), accept_push, headers, body, runtime.clock(), runtime.id_key
        )
    except WebhookRefused as refused:
        log.warning("dossier webhook refused (%s) from %s", refused.reason, address)
        run_step(
            runtime.uow, site_ref(), note_push_refused, refused.reason, address, runtime.clock()
        )
        raise
    return jsonify(mirrored=rows.rows)


def _upload() -> tuple[bytes, str]:
    upload = request.files.get("file")
    name = (upload.filename or "") if upload is not None else request.args.get("filename", "")
    data = upload.read() if upload is not None else request.get_data()
    kind = request.args.get("format") or name.rsplit(".", 1)[-1].lower()
    if not data:
        raise ApiError("Send the file (form field 'file').", "Hãy gửi tệp (trường 'file').")
    return data, kind


@endpoint(
    bp,
    "/dossiers/import",
    "POST",
    summary="Import dossiers from a CSV or XLSX file, all rows or none",
    tag="dossiers",
    permission=Permission.ADMIN,
    responses={
        200: "Rows mirrored",
        413: "Over the row or unpacked-size cap; nothing read",
        422: "Nothing imported; the first 100 problems per row and a count of the rest",
    },
)
def import_dossiers() -> Any:
    runtime = current_runtime()
    data, kind = _upload()
    with runtime.uow(readonly=True) as uow:
        site_id = current_site(uow).id or 0
    job = ImportRequest(ImportKind.DOSSIERS, kind, site_id, actor().label, runtime.clock())
    status, body = run_import(runtime.db, job, data, runtime.id_key)
    return jsonify(body), status


@endpoint(
    bp,
    "/dossiers/feeds",
    "GET",
    summary="State of each feed of the mirror: last success, last error, cursor",
    tag="dossiers",
    permission=Permission.READ,
)
def feeds() -> Any:
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        return jsonify(feed_report(uow, current_site(uow).id or 0, runtime.clock()))


class CalendarYearBody(BaseModel):
    overrides: list[dict[str, str | bool]] = Field(
        description='[{"date": "2025-04-26", "working": true, "note": "Làm bù"}]'
    )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2099:
        raise ApiError("The year must be 2000-2099.", "Năm phải trong khoảng 2000–2099.")


@endpoint(
    bp,
    "/dossiers/calendar/<int:year>",
    "GET",
    summary="Days off of a year (rules and overrides) and the override table",
    tag="dossiers",
)
def calendar_year(year: int) -> Any:
    _check_year(year)
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        return jsonify(year_view(uow, current_site(uow).id or 0, year))


@endpoint(
    bp,
    "/dossiers/calendar/<int:year>",
    "PUT",
    summary="Replace a year's overrides (extra days off, swapped working Saturdays)",
    tag="dossiers",
    permission=Permission.ADMIN,
    body=CalendarYearBody,
)
def set_calendar_year(year: int, body: CalendarYearBody) -> Any:
    _check_year(year)
    runtime = current_runtime()
    who, now = actor().label, runtime.clock()

    def change(uow: UnitOfWork, site_id: int) -> YearView:
        set_year(uow, site_id, year, body.overrides, who, now)
        return year_view(uow, site_id, year)

    return jsonify(run_step(runtime.uow, site_ref(), change))
