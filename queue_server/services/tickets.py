"""Issuing tickets and reading their position in the queue."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from device_kit.contract.events import EventKind
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import (
    DailyLimitReached,
    InvalidPriority,
    RequestKeyReused,
    ServiceClosed,
    UnknownTicket,
)
from queue_server.queueing.estimate import estimate_wait_s
from queue_server.queueing.model import (
    PriorityGroup,
    PriorityPolicy,
    Service,
    Site,
    Ticket,
    TicketState,
    format_number,
    online_count,
    steps_past_band,
)
from queue_server.services.clock import local_day
from queue_server.services.site_ref import SiteRef
from queue_server.services.unit_of_work import UnitOfWorkFactory, run
from queue_server.services.views import ticket_view


@dataclass(frozen=True)
class IssueRequest:
    service: str
    priority: str | None = None
    source: str = "kiosk"
    dossier_code: str | None = None
    #: The device's key for this request: a repeat gets the ticket it was issued.
    request_key: str | None = None


def issue_ticket(
    uows: UnitOfWorkFactory,
    site: SiteRef,
    request: IssueRequest,
    actor: str,
    now: datetime,
    wait_sample: int,
) -> dict[str, Any]:
    """The use case: issue one ticket in its own transaction; return its view. The
    appointment priority is not declared: it comes with a booking checked in
    (``services.appointments.check_in``)."""
    if request.priority == PriorityGroup.APPOINTMENT:
        raise InvalidPriority(
            "An appointment ticket is given by checking the booking in "
            "(POST /appointments/check-in), not declared.",
            "Số ưu tiên đặt lịch hẹn chỉ cấp khi xác nhận lịch hẹn tại kiosk, không tự khai.",
        )
    # On PostgreSQL a repeat sent while the first is still being issued waits at the
    # key's unique index, then runs again (``is_retryable``) and finds that ticket.
    return run(
        uows, lambda uow: number_ticket(uow, site.load(uow), request, actor, now, wait_sample)
    )


def repeated(uow: UnitOfWork, request: IssueRequest, service: Service) -> Ticket | None:
    """The ticket already issued for this request's key, if it is a repeat."""
    if not request.request_key:
        return None
    earlier = uow.repo.ticket_by_request(request.source, request.request_key)
    if earlier is not None and earlier.service_id != service.id:
        raise RequestKeyReused(
            "This request key was already used for another service.",
            "Mã yêu cầu này đã dùng cho một dịch vụ khác.",
        )
    return earlier


def number_ticket(
    uow: UnitOfWork, site: Site, request: IssueRequest, actor: str, now: datetime, wait_sample: int
) -> dict[str, Any]:
    """Number a new ticket atomically and queue it, inside ``uow``; refusals say why
    in vi and en. A repeated request (its ``request_key``) gets the ticket it was issued."""
    service = uow.repo.service_copy(site.id or 0, request.service)
    if (earlier := repeated(uow, request, service)) is not None:
        return position_view(uow, earlier, service, wait_sample)  # even after closing time
    return number_new(uow, site, service, request, actor, now, wait_sample)


def number_new(
    uow: UnitOfWork,
    site: Site,
    service: Service,
    request: IssueRequest,
    actor: str,
    now: datetime,
    wait_sample: int,
) -> dict[str, Any]:
    """:func:`number_ticket` for a request known to be no repeat (the caller asked
    :func:`repeated` itself): the service open, a number, the daily limit, the queue."""
    priority = PriorityGroup.parse(request.priority)
    check_open(service, now.astimezone(ZoneInfo(site.timezone)))
    day = local_day(now, site.timezone)
    seq = uow.repo.next_seq(service.id or 0, day)
    if skip := steps_past_band(seq):  # the numbering row is still held: the step is atomic
        seq = uow.repo.next_seq(service.id or 0, day, skip)
    # A booking checked in was promised its place when it was booked: no daily limit.
    promised = priority is PriorityGroup.APPOINTMENT
    if (
        service.daily_limit is not None
        and online_count(seq) > service.daily_limit
        and not promised
    ):
        raise DailyLimitReached(
            f"All {service.daily_limit} tickets of {service.name_en or service.name_vi} "
            "for today have been issued. Please come back on the next working day.",
            f"Đã cấp hết {service.daily_limit} số của dịch vụ «{service.name_vi}» hôm nay. "
            "Mời Ông/Bà quay lại vào ngày làm việc tiếp theo.",
        )
    return queue_ticket(
        uow,
        site,
        service,
        NewTicket(
            seq, day, now, priority, request.source, request.dossier_code, request.request_key
        ),
        actor,
        now,
        wait_sample,
    )


@dataclass(frozen=True)
class NewTicket:
    """A numbered ticket about to join the queue."""

    seq: int
    day: str
    queued_at: datetime
    priority: PriorityGroup | None
    source: str
    dossier_code: str | None
    request_key: str | None = None


def queue_ticket(
    uow: UnitOfWork,
    site: Site,
    service: Service,
    new: NewTicket,
    actor: str,
    now: datetime,
    wait_sample: int,
    extra: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """Store a numbered ticket in the queue and record ``ticket.issued``; return its view."""
    ticket = Ticket(
        site_id=site.id or 0,
        service_id=service.id or 0,
        number=format_number(service.prefix, new.seq),
        seq=new.seq,
        day=new.day,
        track_token=secrets.token_urlsafe(16),
        issued_at=new.queued_at,
        queued_at=new.queued_at,
        priority=new.priority.value if new.priority else None,
        source=new.source,
        dossier_code=new.dossier_code,
        request_key=new.request_key,
    )
    uow.repo.add_ticket(ticket)
    view = position_view(uow, ticket, service, wait_sample, just_queued=True)
    uow.record(
        site_id=site.id,
        kind=EventKind.TICKET_ISSUED,
        actor=actor,
        at=now,
        service_id=service.id,
        ticket_id=ticket.id,
        payload={**view, **(extra or {})},
    )
    return view


def check_open(service: Service, local_now: datetime) -> None:
    if not service.active:
        raise ServiceClosed(
            f"{service.name_en or service.name_vi} is not taking tickets.",
            f"Dịch vụ «{service.name_vi}» hiện không cấp số.",
        )
    hours = service.hours
    if not hours.is_open(local_now):
        raise ServiceClosed(
            f"{service.name_en or service.name_vi} issues tickets only during opening hours: "
            f"{hours.describe('en')}.",
            f"Dịch vụ «{service.name_vi}» chỉ cấp số trong giờ làm việc: {hours.describe('vi')}.",
        )


def position_view(
    uow: UnitOfWork,
    ticket: Ticket,
    service: Service,
    wait_sample: int,
    *,
    just_queued: bool = False,
) -> dict[str, Any]:
    """The ticket with its place in the queue and the estimated wait; ``just_queued``
    when it has this moment joined the queue (see ``QueueRepository.ahead_of``)."""
    view = ticket_view(ticket, service)
    if ticket.state == TicketState.WAITING:
        strict = service.priority_policy is PriorityPolicy.STRICT
        ahead = uow.repo.ahead_of(ticket, strict, just_queued=just_queued)
        pace = uow.repo.service_pace(service.id or 0, wait_sample)
        wait = estimate_wait_s(ahead, pace.recent_s, pace.open_counters, service.default_service_s)
    else:
        ahead, wait = 0, 0
    view.update(ahead=ahead, estimated_wait_s=wait, track_token=ticket.track_token)
    return view


def offline_source(device: str) -> str:
    """The source of a ticket ``device`` issued from a number block while offline."""
    return f"offline:{device}"[:60]


def get_ticket(
    uow: UnitOfWork, site: Site, ticket_id: int, wait_sample: int, issuer: str | None = None
) -> dict[str, Any]:
    """One ticket with its position; with ``issuer`` (a kiosk's label), only a ticket
    that kiosk issued, online or from a number block: another is unknown to it."""
    ticket = uow.repo.ticket(site.id or 0, ticket_id)
    if issuer is not None and ticket.source not in (issuer, offline_source(issuer)):
        raise UnknownTicket()
    return position_view(uow, ticket, uow.repo.service_by_id(ticket.service_id), wait_sample)
