"""The centre, its services and counters: read by everyone, edited by an admin."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from queue_server.api.blueprint import bp
from queue_server.api.context import actor, current_site, principal
from queue_server.api.schemas import ServicePatch, SitePatch, SiteQuery
from queue_server.api.spec import endpoint
from queue_server.queueing.model import PRIORITY_LABELS, Site
from queue_server.runtime import current_runtime
from queue_server.services.administration import update_service, update_site
from queue_server.services.auth import Permission
from queue_server.services.public_views import COUNTER, sees_private, shape
from queue_server.services.site_config import (
    CounterSection,
    ServiceSection,
    upsert_counter,
    upsert_service,
)
from queue_server.services.views import counter_view, service_view


def site_view(site: Site) -> dict[str, Any]:
    return {
        "code": site.code,
        "name_vi": site.name_vi,
        "name_en": site.name_en,
        "hotline": site.hotline,
        "timezone": site.timezone,
        "ticker_vi": site.ticker_vi,
        "ticker_en": site.ticker_en,
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
    runtime = current_runtime()
    with runtime.uow() as uow:
        site = current_site(uow)
        update_site(uow, site, body.model_dump(exclude_unset=True), actor().label, runtime.clock())
        uow.commit()
        return jsonify(site_view(site))


@endpoint(bp, "/services", "GET", summary="Services of the centre", tag="catalog", query=SiteQuery)
def list_services(query: SiteQuery) -> Any:
    with current_runtime().uow(readonly=True) as uow:
        site = current_site(uow)
        return jsonify(services=[service_view(s) for s in uow.repo.services(site.id or 0)])


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
    with runtime.uow() as uow:
        service = update_service(
            uow, current_site(uow), code, changes, actor().label, runtime.clock()
        )
        uow.commit()
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
    with runtime.uow() as uow:
        site = current_site(uow)
        service = upsert_service(uow, site.id or 0, body)
        uow.record(
            site_id=site.id,
            kind="config.changed",
            actor=actor().label,
            at=runtime.clock(),
            service_id=service.id,
            payload={"service": body.code, "changes": body.model_dump(mode="json")},
        )
        uow.commit()
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
    with runtime.uow() as uow:
        site = current_site(uow)
        services = {s.code: s for s in uow.repo.services(site.id or 0)}
        counter = upsert_counter(uow, site.id or 0, body, services)
        uow.record(
            site_id=site.id,
            kind="config.changed",
            actor=actor().label,
            at=runtime.clock(),
            counter_id=counter.id,
            payload={"counter": body.number, "changes": body.model_dump(mode="json")},
        )
        uow.commit()
        return jsonify(counter_view(counter, body.services))
