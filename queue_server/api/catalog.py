"""The centre, its services and counters: read by everyone, edited by an admin."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import jsonify

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.api.blueprint import bp
from queue_server.api.context import actor, current_site, principal, site_ref
from queue_server.api.schemas import ServicePatch, SitePatch, SiteQuery, SiteVoicePatch
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.model import PRIORITY_LABELS, Site
from queue_server.services.administration import update_service, update_site
from queue_server.services.auth import Permission
from queue_server.services.public_views import COUNTER, sees_private, shape
from queue_server.services.site_config import (
    CounterSection,
    ServiceSection,
    configure_counter,
    configure_service,
)
from queue_server.services.site_ref import run_with_site
from queue_server.services.views import counter_view, opening_view, service_view


def site_view(site: Site) -> dict[str, Any]:
    return {
        "code": site.code,
        "name_vi": site.name_vi,
        "name_en": site.name_en,
        "hotline": site.hotline,
        "timezone": site.timezone,
        "ticker_vi": site.ticker_vi,
        "ticker_en": site.ticker_en,
        "announcement_mode": site.announcement_mode,
        "announcement_variant": site.announcement_variant,
        "priority_groups": [
            {"code": group.value, "label_vi": vi, "label_en": en}
            for group, (vi, en) in PRIORITY_LABELS.items()
        ],
    }


@endpoint(
    bp, "/site", "GET", summary="The centre: names, hotline, ticker", tag="catalog", query=SiteQuery
)
def get_site(query: SiteQuery) -> Any:
    with current_runtime().uow(readonly=True) as uow:
        return jsonify(site_view(current_site(uow)))


@endpoint(
    bp,
    "/site",
    "PATCH",
    summary="Edit the centre's texts",
    tag="catalog",
    permission=Permission.ADMIN,
    body=SitePatch,
)
def patch_site(body: SitePatch) -> Any:
    return _edit_site(body.model_dump(exclude_unset=True))


@endpoint(
    bp,
    "/site/voice",
    "PATCH",
    summary="How the hall boards read numbers (a board's fleet configuration may override it)",
    tag="catalog",
    permission=Permission.DEVICES,
    body=SiteVoicePatch,
)
def patch_site_voice(body: SiteVoicePatch) -> Any:
    return _edit_site(body.model_dump(exclude_unset=True))


def _edit_site(changes: dict[str, Any]) -> Any:
    runtime = current_runtime()
    who, now = actor().label, runtime.clock()

    def edit(uow: UnitOfWork, site: Site) -> Site:
        return update_site(uow, site, changes, who, now)

    return jsonify(site_view(run_with_site(runtime.uow, site_ref(), edit)))


@endpoint(bp, "/services", "GET", summary="Services of the centre", tag="catalog", query=SiteQuery)
def list_services(query: SiteQuery) -> Any:
    with current_runtime().uow(readonly=True) as uow:
        site = current_site(uow)
        local_now = current_runtime().clock().astimezone(ZoneInfo(site.timezone))
        return jsonify(
            services=[
                service_view(s) | opening_view(s, local_now)
                for s in uow.repo.services(site.id or 0)
            ]
        )


@endpoint(
    bp,
    "/services/<code>",
    "PATCH",
    summary="Edit a service",
    tag="catalog",
    permission=Permission.ADMIN,
    body=ServicePatch,
)
def patch_service(code: str, body: ServicePatch) -> Any:
    runtime = current_runtime()
    changes = body.model_dump(exclude_unset=True, mode="json")
    who, now = actor().label, runtime.clock()
    service = run_with_site(
        runtime.uow,
        site_ref(),
        lambda uow, site: update_service(uow, site, code, changes, who, now),
    )
    return jsonify(service_view(service))


@endpoint(
    bp,
    "/counters",
    "GET",
    summary="Counters and the services each serves",
    tag="catalog",
    query=SiteQuery,
)
def list_counters(query: SiteQuery) -> Any:
    with current_runtime().uow(readonly=True) as uow:
        site = current_site(uow)
        codes = {s.id: s.code for s in uow.repo.services(site.id or 0)}
        links = uow.repo.counter_service_map(site.id or 0)
        views = [
            counter_view(c, [codes[sid] for sid in links.get(c.id or 0, [])])
            for c in uow.repo.counters(site.id or 0)
        ]
    return jsonify(counters=views if sees_private(principal()) else shape(views, COUNTER))


@endpoint(
    bp,
    "/services",
    "POST",
    summary="Create a service, or replace the one with that code",
    tag="catalog",
    permission=Permission.ADMIN,
    body=ServiceSection,
    responses={200: "The service"},
)
def put_service(body: ServiceSection) -> Any:
    runtime = current_runtime()
    who, now = actor().label, runtime.clock()
    service = run_with_site(
        runtime.uow, site_ref(), lambda uow, site: configure_service(uow, site, body, who, now)
    )
    return jsonify(service_view(service))


@endpoint(
    bp,
    "/counters",
    "POST",
    summary="Create a counter, or replace the one with that number",
    tag="catalog",
    permission=Permission.ADMIN,
    body=CounterSection,
    responses={200: "The counter"},
)
def put_counter(body: CounterSection) -> Any:
    runtime = current_runtime()
    who, now = actor().label, runtime.clock()
    counter = run_with_site(
        runtime.uow, site_ref(), lambda uow, site: configure_counter(uow, site, body, who, now)
    )
    return jsonify(counter_view(counter, body.services))
