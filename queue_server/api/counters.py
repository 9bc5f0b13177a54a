"""A counter's actions and its waiting list: sign in and out, call next, recall, call
a number, transfer, no-show, finish, park a visitor and resume a parked one, pause and
resume. An officer acts only at the counter they signed into; a counter device token
only at its own counter. A counter another officer holds is taken only after they sign
out or a supervisor moves them. The waiting and parked lists name dossiers and
priority groups: staff of that counter only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from queue_server.api.blueprint import bp
from queue_server.api.context import actor, authorize, current_site, site_ref
from queue_server.api.schemas import (
    CallNumberBody,
    ParkBody,
    PauseBody,
    ResumeParkedBody,
    TransferBody,
)
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.services import counter_actions
from queue_server.services.auth import DeviceKind, Forbidden, Permission, Principal, Role
from queue_server.services.counter_actions import CounterDesk
from queue_server.services.public_views import COUNTER, sees_private, shape


def _check_binding(who: Principal, desk: CounterDesk, signing_in: bool) -> None:
    if who.role is Role.ADMIN:
        return
    if who.device is not None:
        if who.counter_id != desk.counter.id:
            raise Forbidden(
                "This device belongs to another counter.", "Thiết bị này thuộc quầy khác."
            )
        return
    if signing_in:
        return
    if desk.counter.officer_id != who.user_id:
        raise Forbidden(
            f"Sign in at counter {desk.counter.number} before acting there.",
            f"Hãy đăng nhập vào quầy {desk.counter.number} trước khi thao tác.",
        )


def _at_counter(
    counter_id: int,
    action: Callable[[CounterDesk], Any],
    signing_in: bool = False,
    permission: Permission = Permission.COUNTER,
) -> Any:
    """Run ``action`` at the counter; with ``Permission.SUPERVISE`` from anywhere."""
    runtime = current_runtime()
    who = authorize(permission)

    def guard(desk: CounterDesk) -> None:
        if permission is Permission.COUNTER:
            _check_binding(who, desk, signing_in)

    return counter_actions.act(
        runtime.uow, site_ref(), counter_id, actor(), runtime.clock(), action, guard
    )


def _route(rule: str, summary: str, **options: Any) -> Callable[..., Any]:
    return endpoint(
        bp,
        "/counters/<int:counter_id>" + rule,
        "POST",
        summary=summary,
        tag="counters",
        permission=Permission.COUNTER,
        in_turn=True,
        **options,
    )


@endpoint(
    bp,
    "/counters/<int:counter_id>",
    "GET",
    summary="A counter and its current ticket",
    tag="counters",
    permission=Permission.READ,
)
def counter_state(counter_id: int) -> Any:
    """The officer's console reads it whole; devices read the public fields."""
    runtime = current_runtime()
    who = authorize(Permission.READ)
    with runtime.uow(readonly=True) as uow:
        desk = CounterDesk(uow, current_site(uow), counter_id, actor(), runtime.clock())
        view = desk.state()
    return jsonify(view if sees_private(who) else shape(view, COUNTER))


class WaitingQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(10, ge=1, le=50)


def _check_viewer(who: Principal, desk: CounterDesk, *, its_device: bool = False) -> None:
    """A counter's private lists (waiting, parked) name dossiers, priority groups and
    reasons: the officer signed in at this counter, a supervisor or an admin reads
    them, and with ``its_device`` the counter's own device; nobody else."""
    if who.device is None and who.role in (Role.ADMIN, Role.SUPERVISOR):
        return
    if who.device is None and who.role is Role.OFFICER and desk.counter.officer_id == who.user_id:
        return
    if its_device and who.device is DeviceKind.COUNTER and who.counter_id == desk.counter.id:
        return
    raise Forbidden(
        "Only the officer signed in at this counter, a supervisor or an admin sees its queue.",
        "Chỉ cán bộ đang đăng nhập tại quầy, giám sát viên hoặc quản trị viên "
        "được xem hàng chờ của quầy.",
    )


@endpoint(
    bp,
    "/counters/<int:counter_id>/waiting",
    "GET",
    summary="The next waiting tickets of this counter, in the order call-next takes them",
    tag="counters",
    permission=Permission.READ,
    query=WaitingQuery,
    responses={
        200: '{"tickets": [...]}: oldest first in calling order (the services\' priority '
        "policy and interleave applied), each with number, service, priority, "
        "priority_label_vi/en, priority_check_vi/en, dossier_code, waited_s (since issue) "
        "and transfers; for the officer signed in here, a supervisor or an admin",
        403: "Another officer, a device or a technician",
    },
)
def waiting(counter_id: int, query: WaitingQuery) -> Any:
    runtime = current_runtime()
    who = authorize(Permission.READ)
    with runtime.uow(readonly=True) as uow:
        desk = CounterDesk(uow, current_site(uow), counter_id, actor(), runtime.clock())
        _check_viewer(who, desk)
        tickets = desk.waiting(query.limit)
    return jsonify(tickets=tickets)


@_route("/sign-in", "The signed-in officer takes this counter")
def sign_in(counter_id: int) -> Any:
    who = authorize(Permission.COUNTER)
    if who.user_id is None:
        raise Forbidden(
            "Only an officer signs in at a counter.", "Chỉ cán bộ mới đăng nhập vào quầy."
        )
    return jsonify(_at_counter(counter_id, lambda d: d.sign_in(who.user_id or 0), True))


@_route("/sign-out", "The signed-in officer leaves this counter")
def sign_out(counter_id: int) -> Any:
    return jsonify(_at_counter(counter_id, CounterDesk.sign_out))


@endpoint(
    bp,
    "/counters/<int:counter_id>/release",
    "POST",
    summary="A supervisor moves the officer off this counter, so another can sign in",
    tag="counters",
    permission=Permission.SUPERVISE,
)
def release(counter_id: int) -> Any:
    return jsonify(
        _at_counter(counter_id, lambda d: d.sign_out("moved"), permission=Permission.SUPERVISE)
    )


@_route(
    "/call-next",
    "Call the next ticket (204 when nobody waits)",
    responses={200: "The called ticket", 204: "Nobody waits"},
)
def call_next(counter_id: int) -> Any:
    ticket = _at_counter(counter_id, CounterDesk.call_next)
    return jsonify(ticket) if ticket else Response(status=204)


@_route("/recall", "Call the current ticket again")
def recall(counter_id: int) -> Any:
    return jsonify(_at_counter(counter_id, CounterDesk.recall))


@_route("/call", "Call a specific waiting number", body=CallNumberBody)
def call_number(counter_id: int, body: CallNumberBody) -> Any:
    return jsonify(_at_counter(counter_id, lambda d: d.call_number(body.number)))


@_route("/start", "Start serving the called ticket")
def start(counter_id: int) -> Any:
    return jsonify(_at_counter(counter_id, CounterDesk.start))


@_route(
    "/transfer", "Move the current ticket to another service, keeping its number", body=TransferBody
)
def transfer(counter_id: int, body: TransferBody) -> Any:
    return jsonify(_at_counter(counter_id, lambda d: d.transfer(body.service)))


@_route("/no-show", "The called visitor did not come")
def no_show(counter_id: int) -> Any:
    return jsonify(_at_counter(counter_id, CounterDesk.no_show))


@_route("/finish", "The current ticket is served")
def finish(counter_id: int) -> Any:
    return jsonify(_at_counter(counter_id, CounterDesk.finish))


@_route(
    "/park",
    "Park the current ticket: the visitor steps away and keeps the number; the counter is free",
    body=ParkBody,
)
def park(counter_id: int, body: ParkBody) -> Any:
    return jsonify(_at_counter(counter_id, lambda d: d.park(body.reason)))


@_route(
    "/resume-parked",
    "Call a parked ticket back to this counter (409 when another counter took it first)",
    body=ResumeParkedBody,
    responses={200: "The ticket, called again", 409: "No longer parked, or the counter is busy"},
)
def resume_parked(counter_id: int, body: ResumeParkedBody) -> Any:
    return jsonify(
        _at_counter(counter_id, lambda d: d.resume_parked(body.number, body.ticket_id))
    )


@endpoint(
    bp,
    "/counters/<int:counter_id>/parked",
    "GET",
    summary="Today's parked tickets this counter may resume (its officer, a supervisor, an admin)",
    tag="counters",
    permission=Permission.READ,
)
def parked(counter_id: int) -> Any:
    """Reasons are the visitor's business: only the staff of this counter read them."""
    runtime = current_runtime()
    who = authorize(Permission.READ)
    with runtime.uow(readonly=True) as uow:
        desk = CounterDesk(uow, current_site(uow), counter_id, actor(), runtime.clock())
        _check_viewer(who, desk, its_device=True)
        return jsonify(tickets=desk.parked())


@_route("/pause", "Pause the counter with a reason", body=PauseBody)
def pause(counter_id: int, body: PauseBody) -> Any:
    return jsonify(_at_counter(counter_id, lambda d: d.pause(body.reason)))


@_route("/resume", "Open the counter again")
def resume(counter_id: int) -> Any:
    return jsonify(_at_counter(counter_id, CounterDesk.resume))
