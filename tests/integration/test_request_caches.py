"""What a server keeps between requests (token rows, site and service settings, a
service's pace) never hides a change: one made through this server counts at the
next request, one made by another process within the caches' moment."""

from __future__ import annotations

import time
from collections.abc import Callable

from server_fixtures import Api

from queue_server.adapters.account_repository import TOKEN_CACHE_S
from queue_server.adapters.database import connect
from queue_server.adapters.repository import CONFIG_CACHE_S
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.runtime import Runtime
from queue_server.services.auth import revoke_token
from queue_server.services.site_config import CounterSection, upsert_counter
from queue_server.services.site_ref import SiteRef
from queue_server.services.unit_of_work import run


def soon(check: Callable[[], bool], within_s: float) -> bool:
    """Whether ``check()`` holds before ``within_s`` (and a margin) pass."""
    deadline = time.monotonic() + within_s + 3.0
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def another_process(api: Api, database_url: tuple[str, str | None]) -> Runtime:
    """A second runtime on the same database: what the CLI or a second worker is."""
    url, schema = database_url
    return Runtime(
        settings=api.runtime.settings, db=connect(url, schema=schema), clock=api.runtime.clock
    )


def test_a_signed_out_token_is_refused_at_the_next_request(api: Api) -> None:
    assert api.call("GET", "/site", "kiosk").status_code == 200
    assert api.call("DELETE", "/auth/token", "officer").status_code == 204
    assert api.call("GET", "/site", "officer").status_code == 401
    assert api.call("GET", "/site", "kiosk").status_code == 200  # others are untouched


def test_a_token_revoked_by_another_process_is_refused_within_moments(
    api: Api, database_url: tuple[str, str | None]
) -> None:
    assert api.issue()["number"]  # the kiosk's token row is now kept
    there = another_process(api, database_url)
    try:
        run(there.uow, lambda uow: revoke_token(uow, api.tokens["kiosk"], there.clock()))
    finally:
        there.db.dispose()
    refused = soon(lambda: api.call("GET", "/site", "kiosk").status_code == 401, TOKEN_CACHE_S)
    assert refused


def test_a_service_closed_by_an_admin_refuses_the_next_ticket(api: Api) -> None:
    api.issue("dat-dai")  # the service's settings are now kept
    closed = api.call("PATCH", "/services/dat-dai", "admin", json={"active": False})
    assert closed.status_code == 200, closed.json
    refused = api.call("POST", "/tickets", "kiosk", json={"service": "dat-dai"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "service_closed"
    assert api.call("PATCH", "/services/dat-dai", "admin", json={"active": True}).status_code == 200
    assert api.issue("dat-dai")["service"] == "dat-dai"


def test_a_site_edit_answers_and_reads_back_the_new_text(api: Api) -> None:
    api.issue()  # the site's settings are now kept
    edited = api.call("PATCH", "/site", "admin", json={"hotline": "1900 1234"})
    assert edited.status_code == 200 and edited.json["hotline"] == "1900 1234"
    assert api.call("GET", "/site", "kiosk").json["hotline"] == "1900 1234"


def test_a_service_renamed_by_another_process_shows_on_tickets_within_moments(
    api: Api, database_url: tuple[str, str | None]
) -> None:
    assert api.issue("ho-tich")["service_name_vi"] != "Hộ tịch mới"
    there = another_process(api, database_url)

    def rename(uow: UnitOfWork) -> None:
        site = SiteRef(code="default").load(uow)
        uow.repo.service(site.id or 0, "ho-tich").name_vi = "Hộ tịch mới"

    try:
        run(there.uow, rename)
    finally:
        there.db.dispose()
    renamed = soon(lambda: api.issue("ho-tich")["service_name_vi"] == "Hộ tịch mới", CONFIG_CACHE_S)
    assert renamed


def test_a_counter_given_another_service_calls_from_it_at_the_next_press(api: Api) -> None:
    """Call-next keeps each counter's services a moment; a change here counts at once."""
    api.issue("dat-dai")
    civil = api.issue("ho-tich")
    first = api.desk(1, "call-next")  # counter 1 serves land (dat-dai) only
    assert first.status_code == 200 and first.json["service"] == "dat-dai"

    def serve_civil_only(uow: UnitOfWork) -> None:
        site = SiteRef(code="default").load(uow)
        services = {s.code: s for s in uow.repo.services(site.id or 0)}
        upsert_counter(uow, site.id or 0, CounterSection(number=1, services=["ho-tich"]), services)

    run(api.runtime.uow, serve_civil_only)
    called = api.desk(1, "call-next")
    assert called.status_code == 200, called.json
    assert called.json["number"] == civil["number"] and called.json["service"] == "ho-tich"
