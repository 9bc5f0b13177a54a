"""The live snapshot of the floor: waiting per service, current ticket per counter."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from queue_server.api.blueprint import bp
from queue_server.api.context import current_site, principal
from queue_server.api.schemas import SiteQuery
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.services.public_views import SNAPSHOT, sees_private, shape
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
    """Staff see who is served; the hall, devices and the anonymous see the public fields."""
    with current_runtime().uow(readonly=True) as uow:
        view = queue_snapshot(uow, current_site(uow))
    return jsonify(view if sees_private(principal()) else shape(view, SNAPSHOT))
