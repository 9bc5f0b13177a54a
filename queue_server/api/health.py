"""Liveness, readiness and the API's own description."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from flask import jsonify

from queue_server.api.blueprint import bp
from queue_server.api.spec import endpoint, openapi_document
from queue_server.runtime import current_runtime


def motcua_version() -> str:
    return version("motcua")


@endpoint(bp, "/health", "GET", summary="Server and database health", tag="system")
def health() -> Any:
    return jsonify(status="ok", db=current_runtime().db.ping(), version=motcua_version())


@endpoint(bp, "/openapi.json", "GET", summary="This OpenAPI 3 document", tag="system")
def openapi() -> Any:
    return jsonify(openapi_document(motcua_version()))
