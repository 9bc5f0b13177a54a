"""The live snapshot of the floor: waiting per service, current ticket per counter."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from queue_server.api.blueprint import bp
from queue_server.api.context import current_site
from queue_server.api.schemas import SiteQuery
from queue_server.api.spec import endpoint
from queue_server.runtime import current_runtime
from queue_server.services.snapshot import queue_snapshot


@endpoint(
    bp,
    "/queue",
    "GET",
    summary="Snapshot of the queue with the last event id",
    tag="queue",
    query=SiteQuery,
)
def snapshot(query: SiteQuery) -> Any:
    with current_runtime().uow(readonly=True) as uow:
        return jsonify(queue_snapshot(uow, current_site(uow)))
