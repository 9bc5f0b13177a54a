"""Liveness, readiness and the API's own description."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from flask import jsonify

from queue_server.api.blueprint import bp
from queue_server.api.errors import database_failure_response
from queue_server.api.spec import endpoint, openapi_document
from queue_server.flask_runtime import current_runtime


def motcua_version() -> str:
    return version("motcua")


@endpoint(bp, "/health", "GET", summary="Server and database health", tag="system")
def health() -> Any:
    """200 only when the database answers, takes a write and has this code's schema;
    otherwise a 503 naming why (``storage_full``, ``schema_outdated``...)."""
    state = current_runtime().db.check()
    if state.problem is not None:
        return database_failure_response(state.problem, details=state.as_dict())
    return jsonify(status="ok", **state.as_dict(), version=motcua_version())


@endpoint(bp, "/openapi.json", "GET", summary="This OpenAPI 3 document", tag="system")
def openapi() -> Any:
    return jsonify(openapi_document(motcua_version()))
