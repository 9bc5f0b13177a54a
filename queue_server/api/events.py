"""The live stream of the floor (Server-Sent Events) and the recent calls.

The stream is public like the hall board: each event kind carries only the fields
listed for it in ``services.public_views.EVENTS`` (ticket numbers, services,
counters), never a tracking token, a dossier code, a priority group or a staff
name. A token only chooses the site.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from device_kit.contract.events import CALL_KINDS
from queue_server.api.blueprint import bp
from queue_server.api.context import current_site
from queue_server.api.converters import MAX_EVENT_ID
from queue_server.api.errors import ApiError
from queue_server.api.spec import endpoint
from queue_server.api.stream_gate import PEER_CHECK_S, client_socket, current_gate, keep_alive
from queue_server.api.stream_gate import peer_gone as socket_gone
from queue_server.events import REPLAY_LIMIT, current_broker, read_events, recent_events, stream
from queue_server.flask_runtime import current_runtime
from queue_server.security import client_address


class StreamQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    site: str | None = Field(None, max_length=40)
    service: str | None = Field(None, max_length=40, description="service code")
    counter: int | None = Field(None, ge=1, le=999, description="counter number")
    since: int | None = Field(
        None, ge=0, le=MAX_EVENT_ID, description="replay events after this id"
    )


class RecentQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    site: str | None = Field(None, max_length=40)
    limit: int = Field(10, ge=1, le=50)


def _last_event_id(query: StreamQuery) -> int | None:
    header = request.headers.get("Last-Event-ID", "").strip()
    if header:
        digits = header.isascii() and header.isdigit() and len(header) <= 19
        if not digits or int(header) > MAX_EVENT_ID:
            raise ApiError(
                "Last-Event-ID must be an event id.", "Last-Event-ID phải là mã sự kiện."
            )
        return int(header)
    return query.since


@endpoint(
    bp,
    "/events",
    "GET",
    summary="Live events (SSE); Last-Event-ID or ?since= replays what was missed",
    tag="events",
    query=StreamQuery,
    stream=True,
)
def event_stream(query: StreamQuery) -> Any:
    """Admitted by the stream gate before any database work, so refusals stay cheap."""
    admitted = current_gate().enter(client_address())
    if isinstance(admitted, Response):
        return admitted
    try:
        response = _open_stream(query)
    except BaseException:
        admitted()
        raise
    response.call_on_close(admitted)
    return response


def _open_stream(query: StreamQuery) -> Response:
    runtime = current_runtime()
    after = _last_event_id(query)
    with runtime.uow(readonly=True) as uow:
        site = current_site(uow)
        site_id = site.id or 0
        service_id = uow.repo.service(site_id, query.service).id if query.service else None
        counter_id = None
        if query.counter is not None:
            counter_id = uow.repo.counter_by_number(site_id, query.counter).id
    sock = client_socket(request.environ)
    if sock is not None:
        keep_alive(sock)
    subscription = current_broker().subscribe(site_id, service_id, counter_id)
    try:
        backlog = [] if after is None else read_events(runtime.db, site_id, after, REPLAY_LIMIT + 1)
    except BaseException:
        subscription.close()
        raise
    body = stream(
        subscription,
        backlog[:REPLAY_LIMIT],
        heartbeat_s=runtime.settings.sse_heartbeat_s,
        overflowed_backlog=len(backlog) > REPLAY_LIMIT,
        peer_gone=(lambda: socket_gone(sock)) if sock is not None else lambda: False,
        check_s=PEER_CHECK_S,
    )
    response = Response(
        body,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    response.call_on_close(subscription.close)
    return response


@endpoint(
    bp,
    "/events/recent-calls",
    "GET",
    summary="The last calls of the centre, newest first (hall board)",
    tag="events",
    query=RecentQuery,
)
def recent_calls(query: RecentQuery) -> Any:
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        site_id = current_site(uow).id or 0
    calls = recent_events(runtime.db, site_id, tuple(sorted(CALL_KINDS)), query.limit)
    return jsonify(
        calls=[{"id": e.id, "kind": e.kind, **e.public_data()} for e in calls],
    )
