"""Issuing tickets, reading one, and the public tracking view behind the ticket QR."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from device_kit.public_url import public_or_none
from queue_server.api.blueprint import bp
from queue_server.api.context import actor, authorize, current_site, principal, site_ref
from queue_server.api.schemas import IssueTicketBody
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.queueing.errors import UnknownTicket
from queue_server.security import request_base_url
from queue_server.services.auth import DeviceKind, Permission
from queue_server.services.public_views import POSITION, TRACK, sees_private, shape
from queue_server.services.tickets import IssueRequest, get_ticket, issue_ticket, position_view


@endpoint(
    bp,
    "/tickets",
    "POST",
    summary="Issue a queue ticket",
    tag="tickets",
    permission=Permission.ISSUE,
    body=IssueTicketBody,
    in_turn=True,
    responses={201: "The ticket, with people ahead and the estimated wait"},
)
def create_ticket(body: IssueTicketBody) -> Any:
    runtime = current_runtime()
    who = principal()
    request = IssueRequest(
        service=body.service,
        priority=body.priority,
        source=who.label if who else "web",
        dossier_code=body.dossier_code,
        request_key=body.request_key,
    )
    view = issue_ticket(
        runtime.uow,
        site_ref(),
        request,
        actor().label,
        runtime.clock(),
        runtime.settings.wait_sample,
    )
    return jsonify(with_track_url(view)), 201


def with_track_url(view: dict[str, Any]) -> dict[str, Any]:
    """A new ticket's view with the address its QR carries (the tracking page)."""
    base = public_or_none(current_runtime().settings.public_url or request_base_url())
    view["track_url"] = f"{base}/t/{view['track_token']}" if base else None
    return view


@endpoint(
    bp,
    "/tickets/<int:ticket_id>",
    "GET",
    summary="One ticket with its state",
    tag="tickets",
    permission=Permission.READ,
)
def read_ticket(ticket_id: int) -> Any:
    """Staff read any ticket whole, a kiosk only those it issued; boards and rating
    terminals read the public fields and the position."""
    runtime = current_runtime()
    who = authorize(Permission.READ)
    issuer = who.label if who.device is DeviceKind.KIOSK else None
    with runtime.uow(readonly=True) as uow:
        view = get_ticket(uow, current_site(uow), ticket_id, runtime.settings.wait_sample, issuer)
    return jsonify(view if issuer or sees_private(who) else shape(view, POSITION))


@endpoint(
    bp, "/track/<token>", "GET", summary="Public position of a ticket (ticket QR)", tag="tickets"
)
def track_ticket(token: str) -> Any:
    """Only this ticket's own facts: nothing about other visitors."""
    runtime = current_runtime()
    with runtime.uow(readonly=True) as uow:
        ticket = uow.repo.ticket_by_token(token)
        if ticket is None:
            raise UnknownTicket(
                "This ticket link is not valid.", "Đường dẫn số thứ tự không hợp lệ."
            )
        view = position_view(
            uow, ticket, uow.repo.service_by_id(ticket.service_id), runtime.settings.wait_sample
        )
        if ticket.counter_id:
            view["counter"] = uow.repo.counter(ticket.site_id, ticket.counter_id).number
        return jsonify(shape(view, TRACK))
