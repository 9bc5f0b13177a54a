"""The OpenAPI document is generated from the code and covers every route."""

from __future__ import annotations

import re

from flask import Flask
from server_fixtures import Api


def test_every_api_route_is_in_the_openapi_document(app: Flask, api: Api) -> None:
    document = api.call("GET", "/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(path, m) for m in rule.methods or () if m not in {"HEAD", "OPTIONS"}}
    assert served == documented


def test_request_bodies_are_described_with_their_fields(api: Api) -> None:
    document = api.call("GET", "/openapi.json").json
    operation = document["paths"]["/api/v1/tickets"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert schema["required"] == ["service"]
    assert schema.get("additionalProperties") is False
    assert "201" in operation["responses"] and "security" in operation
