"""People name a counter by the number above it: in the event stream filter, a
keypad's token, a rating terminal's binding and the report filter. A number the
centre does not have gets the same answer everywhere: 404 ``unknown_counter``."""

from __future__ import annotations

from typing import Any

import pytest
from server_fixtures import Api


def _stream(api: Api) -> Any:
    return api.call("GET", "/events?counter=42")


def _token(api: Api) -> Any:
    body = {"kind": "counter", "name": "keypad-42", "counter": 42}
    return api.call("POST", "/tokens", "admin", json=body)


def _binding(api: Api) -> Any:
    terminal = api.call("GET", "/devices/me", "rating").json
    return api.call("PUT", f"/devices/{terminal['id']}/config", "admin", json={"counter": 42})


def _report(api: Api) -> Any:
    query = {"period": "month", "from": "2026-11-01", "counter": 42}
    return api.call("GET", "/reports/summary", "supervisor", query_string=query)


@pytest.mark.parametrize("ask", [_stream, _token, _binding, _report])
def test_an_unknown_counter_number_is_refused_alike_everywhere(api: Api, ask: Any) -> None:
    refused = ask(api)
    assert refused.status_code == 404
    assert refused.json["error"] == {
        "code": "unknown_counter",
        "message": "There is no counter 42.",
        "message_vi": "Không có quầy 42.",
    }


def test_a_known_number_names_its_counter(api: Api) -> None:
    body = {"kind": "counter", "name": "keypad-4", "counter": 4}
    assert api.call("POST", "/tokens", "admin", json=body).status_code == 201
    terminal = api.call("GET", "/devices/me", "rating").json
    bound = api.call("PUT", f"/devices/{terminal['id']}/config", "admin", json={"counter": 3})
    assert bound.status_code == 200
    assert api.call("GET", "/ratings/desk", "rating").json["counter"] == 3
