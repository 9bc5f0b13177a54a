"""Number blocks: numbers a kiosk reserves ahead so it can keep issuing while offline.

A block is a run of one service's reserved band of the day (``RESERVED_FIRST``
upward, A900-A999), never of the sequence visitors see issued online: leasing
leaves that sequence continuous (A001, A002, A003). Each block starts after the
highest reserved number any block of that service and day holds, read while the
day's numbering row is held, so two kiosks leasing at once get distinct slices;
the online sequence steps over the band. When the kiosk is back online it hands over each
ticket it issued from a block; the ticket joins the queue at the time it was
issued (``queued_at``), so it keeps its place among tickets issued meanwhile,
but never before the block was leased: the kiosk held none of its numbers
earlier, so an earlier time (a wrong clock, or a forged one to jump the queue)
counts as the lease time. Only the device that leased a block hands over its
tickets. Handing the same ticket over twice returns the ticket already queued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from device_kit.contract.events import EventKind
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import NotFound, QueueError
from queue_server.queueing.model import (
    RESERVED_FIRST,
    RESERVED_LAST,
    PriorityGroup,
    Site,
    TicketState,
    format_number,
)
from queue_server.services.clock import local_day
from queue_server.services.tickets import (
    NewTicket,
    check_open,
    offline_source,
    position_view,
    queue_ticket,
)
from queue_server.services.views import service_view, ticket_view

MAX_BLOCK = 50


class UnknownBlock(NotFound):
    code = "unknown_block"
    message = "There is no such number block for this device."
    message_vi = "Không có dải số này cho thiết bị."


class NumberOutsideBlock(QueueError):
    code = "number_outside_block"
    status = 400
    message = "That number is not part of the block."
    message_vi = "Số này không thuộc dải số đã cấp."


class ReservedNumbersUsedUp(QueueError):
    code = "reserved_numbers_used_up"
    message = "Today's numbers reserved for offline issuing have all been leased."
    message_vi = "Đã cấp hết các số dự phòng cho ki-ốt trong ngày hôm nay."


class StaleBlock(QueueError):
    code = "stale_block"
    message = "The block belongs to an earlier day; its numbers are no longer valid."
    message_vi = "Dải số thuộc ngày trước, không còn dùng được."


def lease_block(
    uow: UnitOfWork, site: Site, service_code: str, count: int, device: str, now: datetime
) -> dict[str, Any]:
    """Reserve up to ``count`` consecutive numbers of today's reserved band for ``device``
    (fewer when the band is nearly used up)."""
    if not 1 <= count <= MAX_BLOCK:
        raise QueueError(
            f"A block holds 1 to {MAX_BLOCK} numbers.",
            f"Mỗi dải số có từ 1 đến {MAX_BLOCK} số.",
        )
    service = uow.repo.service(site.id or 0, service_code)
    check_open(service, now.astimezone(ZoneInfo(site.timezone)))
    day = local_day(now, site.timezone)
    uow.repo.next_seq(service.id or 0, day, 0)  # hold the day's numbering row until commit
    used = uow.repo.last_reserved(service.id or 0, day, RESERVED_FIRST)
    first = RESERVED_FIRST if used is None else used + 1
    last = min(first + count - 1, RESERVED_LAST)
    if first > last:
        raise ReservedNumbersUsedUp()
    block_id = uow.repo.add_block(
        site.id or 0,
        service.id or 0,
        day,
        device,
        first_seq=first,
        last_seq=last,
        created_at=now,
    )
    view = {
        "id": block_id,
        "service": service.code,
        "prefix": service.prefix,
        "day": day,
        "first": first,
        "last": last,
        "first_number": format_number(service.prefix, first),
        "last_number": format_number(service.prefix, last),
        "service_info": service_view(service),
    }
    uow.record(
        site_id=site.id,
        kind=EventKind.BLOCK_LEASED,
        actor=device,
        at=now,
        service_id=service.id,
        payload={k: view[k] for k in ("id", "service", "day", "first", "last")},
    )
    return view


def sync_offline_ticket(
    uow: UnitOfWork,
    site: Site,
    block_id: int,
    seq: int,
    issued_at: datetime,
    priority: str | None,
    dossier_code: str | None,
    device: str,
    now: datetime,
    wait_sample: int,
    *,
    replaces: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Queue a ticket issued offline; returns its view and whether it was new.

    ``replaces``: the key of the online request the kiosk gave up on before it took
    this number (its answer was lost twice). If that request did issue a ticket and
    it still waits, nobody holds it: it is cancelled, so no counter calls a ghost.

    The block's row is locked first: a kiosk that resends while its first hand-over
    still runs would otherwise find no ticket in both and queue the number twice
    (PostgreSQL; SQLite runs writers one at a time anyway)."""
    block = uow.repo.block(site.id or 0, block_id, device, lock=True)
    if block is None:
        raise UnknownBlock()
    if not block.first_seq <= seq <= block.last_seq:
        raise NumberOutsideBlock(
            f"Number {seq} is outside block {block_id} ({block.first_seq}-{block.last_seq}).",
            f"Số {seq} nằm ngoài dải số {block.first_seq}-{block.last_seq}.",
        )
    if block.day != local_day(now, site.timezone):
        raise StaleBlock()
    service = uow.repo.service_by_id(block.service_id)
    number = format_number(service.prefix, seq)
    existing = uow.repo.ticket_by_number(block.service_id, block.day, number)
    if existing is not None:
        return position_view(uow, existing, service, wait_sample), False
    group = PriorityGroup.parse(priority)
    # A kiosk clock ahead of the server must not push the ticket behind later ones,
    # nor one behind (or a forged time) put it before those waiting at the lease.
    queued_at = max(block.created_at, min(issued_at, now))
    view = queue_ticket(
        uow,
        site,
        service,
        NewTicket(seq, block.day, queued_at, group, offline_source(device), dossier_code),
        device,
        now,
        wait_sample,
        extra={"offline_block": block_id},
    )
    if replaces:
        cancel_unheld(uow, site, device, replaces, now)
    return view, True


def cancel_unheld(
    uow: UnitOfWork, site: Site, device: str, request_key: str, now: datetime
) -> None:
    """Cancel the ticket ``device``'s request ``request_key`` issued, if it still waits:
    the kiosk never printed it."""
    ghost = uow.repo.ticket_by_request(device, request_key)
    if ghost is None or ghost.state != TicketState.WAITING:
        return
    ghost.cancel(now)
    uow.record(
        site_id=site.id,
        kind=EventKind.TICKET_CANCELLED,
        actor=device,
        at=now,
        service_id=ghost.service_id,
        ticket_id=ghost.id,
        payload=ticket_view(ghost, uow.repo.service_by_id(ghost.service_id)),
    )
