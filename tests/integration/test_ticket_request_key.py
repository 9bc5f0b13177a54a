"""A kiosk that lost the answer to its ticket request asks again with the same key and
gets the ticket already issued, not a second number queued for nobody: on SQLite and
PostgreSQL, when the repeats arrive together as well."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from server_fixtures import Api
from sqlalchemy import func, select

from queue_server.adapters.tables import events, tickets


def ask(api: Api, key: str | None, service: str = "ho-tich", who: str = "kiosk") -> Any:
    body = {"service": service, "request_key": key}
    return api.call("POST", "/tickets", who, json=body)


def stored(api: Api) -> tuple[int, int]:
    """Tickets and ``ticket.issued`` events in the database."""
    with api.runtime.uow(readonly=True) as uow:
        ticket_rows = uow.session.scalar(select(func.count()).select_from(tickets))
        issued = uow.session.scalar(
            select(func.count()).select_from(events).where(events.c.kind == "ticket.issued")
        )
    return int(ticket_rows or 0), int(issued or 0)


def test_a_repeated_request_gets_the_ticket_it_was_issued(api: Api) -> None:
    key = secrets.token_urlsafe(16)
    first = ask(api, key)
    assert first.status_code == 201
    api.issue()  # someone else's ticket in between
    again = ask(api, key)
    assert again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert again.json["number"] == first.json["number"]
    assert again.json["track_url"] == first.json["track_url"]
    assert stored(api) == (2, 2)
    fresh = ask(api, secrets.token_urlsafe(16))
    assert fresh.json["number"] != first.json["number"]


def test_a_repeat_tells_where_the_ticket_stands_now(api: Api) -> None:
    key = secrets.token_urlsafe(16)
    first = ask(api, key).json
    assert first["state"] == "waiting"
    called = api.desk(3, "call-next")  # counter 3 serves ho-tich
    assert called.status_code == 200 and called.json["number"] == first["number"]
    again = ask(api, key).json
    assert (again["id"], again["state"]) == (first["id"], "called")


def test_another_kiosks_key_is_its_own(api: Api) -> None:
    api.add_device("kiosk2", "kiosk")
    key = secrets.token_urlsafe(16)
    mine, theirs = ask(api, key).json, ask(api, key, who="kiosk2").json
    assert mine["id"] != theirs["id"]
    assert stored(api) == (2, 2)


def test_a_key_sent_again_for_another_service_is_refused_in_vietnamese(api: Api) -> None:
    key = secrets.token_urlsafe(16)
    assert ask(api, key).status_code == 201
    refused = ask(api, key, service="dat-dai")
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "request_key_reused"
    assert "Mã yêu cầu" in refused.json["error"]["message_vi"]
    assert stored(api) == (1, 1)


def test_a_malformed_key_is_refused_and_issues_nothing(api: Api) -> None:
    for key in ("short", "x" * 65, "có dấu tiếng Việt 12345", "a;DROP TABLE tickets--x"):
        refused = ask(api, key)
        assert refused.status_code in (400, 422), key
        assert refused.json["error"]["message_vi"], key
    assert stored(api) == (0, 0)


def test_repeats_arriving_together_share_one_ticket(api: Api) -> None:
    """A kiosk resending while its first request still runs: on PostgreSQL the later
    ones wait at the key's unique index, then find the first one's ticket."""
    key = secrets.token_urlsafe(16)
    start = threading.Barrier(8)
    app = api.client.application

    def send(_: int) -> tuple[int, int, str]:
        client = app.test_client()
        start.wait(timeout=30)
        response = client.post(
            "/api/v1/tickets",
            json={"service": "ho-tich", "request_key": key},
            headers={"Authorization": f"Bearer {api.tokens['kiosk']}"},
        )
        return response.status_code, response.json["id"], response.json["number"]

    with ThreadPoolExecutor(8) as pool:
        answers = set(pool.map(send, range(8)))
    assert len(answers) == 1 and next(iter(answers))[0] == 201
    assert stored(api) == (1, 1)
