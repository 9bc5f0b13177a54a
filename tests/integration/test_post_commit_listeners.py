"""A listener told of a commit after the fact cannot undo the commit: when one
raises, the visitor still gets the number that waits in the queue (no ghost
ticket), the other listeners still hear of it, and the failure is logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from server_fixtures import Api


def test_a_failing_listener_leaves_the_committed_ticket_answered_201(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[str] = []

    def broken(_committed: list[dict[str, Any]]) -> None:
        raise RuntimeError("display bridge is down")

    def recorder(committed: list[dict[str, Any]]) -> None:
        heard.extend(event["kind"] for event in committed)

    api.runtime.listeners[:0] = [broken]
    api.runtime.listeners.append(recorder)

    with caplog.at_level(logging.ERROR, logger="queue_server.adapters.unit_of_work"):
        response = api.call("POST", "/tickets", "kiosk", json={"service": "ho-tich"})

    assert response.status_code == 201, response.json
    number = response.json["number"]
    waiting = api.call("GET", f"/tickets/{response.json['id']}", "admin")
    assert waiting.status_code == 200
    assert waiting.json["number"] == number
    assert waiting.json["state"] == "waiting"
    assert "ticket.issued" in heard
    assert any("listener failed after commit" in r.getMessage() for r in caplog.records)
