"""A unit of work on in-memory repositories, so a use case runs without a database.

It keeps the contract the use cases rely on: ``repo`` answers the queue queries
(the same rules as ``QueueRepository``, over lists); ``fleet`` and ``accounts``
(``fake_fleet``, ``fake_accounts``) and ``ratings``, ``dossiers``, ``calendar``,
``procedures`` and ``appointments`` (``fake_repositories``) answer the other
repositories' protocols;
``record`` collects events that reach ``events`` only at ``commit``, and ``committed``
says whether it committed.
Leaving without a commit drops the recorded events, as a rollback would.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from fake_accounts import FakeAccountRepository
from fake_fleet import FakeFleetRepository
from fake_repositories import (
    FakeAppointmentRepository,
    FakeCalendarRepository,
    FakeDossierRepository,
    FakeProcedureRepository,
    FakeRatingRepository,
)

from queue_server.adapters.account_repository import AccountStore
from queue_server.adapters.appointment_repository import AppointmentStore
from queue_server.adapters.calendar_repository import CalendarStore
from queue_server.adapters.dossier_repository import DossierStore
from queue_server.adapters.fleet_repository import FleetStore
from queue_server.adapters.procedure_repository import ProcedureStore
from queue_server.adapters.rating_repository import RatingStore
from queue_server.adapters.repository import ServicePace
from queue_server.queueing.errors import UnknownCounter, UnknownService, UnknownTicket
from queue_server.queueing.model import (
    Counter,
    CounterState,
    NumberBlock,
    Service,
    Site,
    Ticket,
    TicketState,
)

Entity = Site | Service | Counter | Ticket


class FakeQueueRepository:
    """The queries of ``QueueRepository`` that the queue use cases call, over lists."""

    row_locks = False

    def __init__(self) -> None:
        self.sites: list[Site] = []
        self.all_services: list[Service] = []
        self.all_counters: list[Counter] = []
        self.tickets: list[Ticket] = []
        self.counter_services: dict[int, list[int]] = {}
        self.sequences: dict[tuple[int, str], int] = {}
        self.blocks: list[NumberBlock] = []
        #: user id -> (username, full name) of the officers who staff counters
        self.officers: dict[int, tuple[str, str]] = {}
        self._ids = itertools.count(1)

    def add_ticket(self, ticket: Ticket) -> None:
        self.add(ticket)

    def add(self, entity: Entity) -> None:
        entity.id = next(self._ids)
        stores: dict[type[Any], list[Any]] = {
            Site: self.sites,
            Service: self.all_services,
            Counter: self.all_counters,
            Ticket: self.tickets,
        }
        stores[type(entity)].append(entity)

    # sites, services, counters ---------------------------------------------------
    def site(self, code: str) -> Site | None:
        return next((s for s in self.sites if s.code == code), None)

    def site_by_id(self, site_id: int) -> Site:
        return next(s for s in self.sites if s.id == site_id)

    def site_copy(self, site_id: int) -> Site:
        return self.site_by_id(site_id)

    def services(self, site_id: int) -> Sequence[Service]:
        return [s for s in self.all_services if s.site_id == site_id]

    def read_services(self, site_id: int) -> None:
        """The fake's services are plain objects already."""

    def service_copy(self, site_id: int, code: str) -> Service:
        return self.service(site_id, code)

    def service(self, site_id: int, code: str) -> Service:
        for service in self.services(site_id):
            if service.code == code:
                return service
        raise UnknownService()

    def service_by_id(self, service_id: int) -> Service:
        for service in self.all_services:
            if service.id == service_id:
                return service
        raise UnknownService()

    def counters(self, site_id: int) -> Sequence[Counter]:
        found = [c for c in self.all_counters if c.site_id == site_id]
        return sorted(found, key=lambda c: c.number)

    def counter_by_number(self, site_id: int, number: int) -> Counter:
        for counter in self.counters(site_id):
            if counter.number == number:
                return counter
        raise UnknownCounter()

    def counter(self, site_id: int, counter_id: int, *, lock: bool = False) -> Counter:
        for counter in self.all_counters:
            if counter.site_id == site_id and counter.id == counter_id:
                return counter
        raise UnknownCounter()

    def counter_service_ids(self, counter_id: int) -> list[int]:
        return list(self.counter_services.get(counter_id, []))

    def officer_name(self, user_id: int) -> str | None:
        username, full_name = self.officers.get(user_id, ("", ""))
        return full_name or username or None

    # numbering -------------------------------------------------------------------
    def next_seq(self, service_id: int, day: str, count: int = 1) -> int:
        key = (service_id, day)
        self.sequences[key] = self.sequences.get(key, 0) + count
        return self.sequences[key]

    # number blocks ---------------------------------------------------------------
    def last_reserved(self, service_id: int, day: str, floor: int) -> int | None:
        held = [
            b.last_seq
            for b in self.blocks
            if (b.service_id, b.day) == (service_id, day) and b.last_seq >= floor
        ]
        return max(held, default=None)

    def add_block(
        self,
        site_id: int,
        service_id: int,
        day: str,
        device: str,
        *,
        first_seq: int,
        last_seq: int,
        created_at: datetime,
    ) -> int:
        block_id = next(self._ids)
        self.blocks.append(
            NumberBlock(block_id, site_id, service_id, day, device, first_seq, last_seq, created_at)
        )
        return block_id

    def block(
        self, site_id: int, block_id: int, device: str, *, lock: bool = False
    ) -> NumberBlock | None:
        """``lock`` changes nothing here: the fake runs one use case at a time."""
        return next(
            (
                b
                for b in self.blocks
                if (b.id, b.site_id, b.device) == (block_id, site_id, device)
            ),
            None,
        )

    # tickets ---------------------------------------------------------------------
    def ticket(self, site_id: int, ticket_id: int) -> Ticket:
        for ticket in self.tickets:
            if ticket.id == ticket_id and ticket.site_id == site_id:
                return ticket
        raise UnknownTicket()

    def ticket_by_number(self, service_id: int, day: str, number: str) -> Ticket | None:
        return next(
            (
                t
                for t in self.tickets
                if (t.service_id, t.day, t.number) == (service_id, day, number)
            ),
            None,
        )

    def current_ticket(self, counter: Counter) -> Ticket | None:
        for ticket in self.tickets:
            if ticket.id == counter.current_ticket_id and ticket.state in (
                TicketState.CALLED,
                TicketState.SERVING,
            ):
                return ticket
        return None

    def _waiting(self, service_ids: Sequence[int], priority: bool) -> list[Ticket]:
        found = [
            t
            for t in self.tickets
            if t.service_id in service_ids
            and t.state == TicketState.WAITING
            and (t.priority is not None) == priority
        ]
        return sorted(found, key=lambda t: (t.queued_at, t.id or 0))

    def heads(
        self, service_ids: Sequence[int], *, lock: bool
    ) -> tuple[Ticket | None, Ticket | None]:
        prio, normal = self._waiting(service_ids, True), self._waiting(service_ids, False)
        return (prio[0] if prio else None), (normal[0] if normal else None)

    def waiting(self, service_ids: Sequence[int], *, priority: bool, limit: int) -> list[Ticket]:
        return self._waiting(service_ids, priority)[:limit]

    def transfer_chain(self, ticket: Ticket) -> list[Ticket]:
        by_id = {t.id: t for t in self.tickets}
        chain: list[Ticket] = []
        origin = by_id.get(ticket.transferred_from_id)
        while origin is not None:
            chain.insert(0, origin)
            origin = by_id.get(origin.transferred_from_id)
        return chain

    def waiting_by_number(self, service_ids: Sequence[int], day: str, number: str) -> Ticket:
        for ticket in reversed(self.tickets):
            if (
                ticket.service_id in service_ids
                and ticket.day == day
                and ticket.number == number
                and ticket.state in (TicketState.WAITING, TicketState.NO_SHOW)
            ):
                return ticket
        raise UnknownTicket()

    def ticket_to_resume(
        self, service_ids: Sequence[int], day: str, *, number: str | None, ticket_id: int | None
    ) -> Ticket | None:
        for ticket in reversed(self.tickets):
            wanted = ticket.id == ticket_id if ticket_id is not None else ticket.number == number
            if wanted and ticket.service_id in service_ids and ticket.day == day:
                return ticket
        return None

    def parked(self, service_ids: Sequence[int], day: str) -> Sequence[Ticket]:
        found = [
            t
            for t in self.tickets
            if t.service_id in service_ids and t.day == day and t.state == TicketState.PARKED
        ]
        return sorted(found, key=lambda t: (t.parked_at or t.issued_at, t.id or 0))

    def ahead_of(self, ticket: Ticket, strict: bool, *, just_queued: bool = False) -> int:
        same = self._waiting([ticket.service_id], ticket.priority is not None)
        place = (ticket.queued_at, ticket.id or 0)
        ahead = sum(1 for t in same if (t.queued_at, t.id or 0) < place)
        if strict and ticket.priority is None:
            ahead += len(self._waiting([ticket.service_id], True))
        return ahead

    def recent_service_times(self, service_id: int, limit: int) -> list[float]:
        done = [t for t in self.tickets if t.service_id == service_id and t.service_time_s]
        done.sort(key=lambda t: t.finished_at or t.issued_at, reverse=True)
        return [t.service_time_s for t in done[:limit] if t.service_time_s is not None]

    def open_counters_for(self, service_id: int) -> int:
        return sum(
            1
            for counter in self.all_counters
            if counter.state == CounterState.OPEN
            and service_id in self.counter_services.get(counter.id or 0, [])
        )

    def service_pace(self, service_id: int, sample: int) -> ServicePace:
        return ServicePace(
            self.recent_service_times(service_id, sample), self.open_counters_for(service_id)
        )

    def release_officer(self, officer_id: int, except_counter: int) -> None:
        for counter in self.all_counters:
            if counter.officer_id == officer_id and counter.id != except_counter:
                counter.officer_id = None

    def order_events(self, site_id: int) -> None:
        """In memory nothing commits concurrently: the order is the order of commits."""


class FakeUnitOfWork:
    """One shared repository; each ``with`` block is one transaction of it."""

    def __init__(self) -> None:
        self.repo = FakeQueueRepository()
        accounts = FakeAccountRepository()
        self.accounts: AccountStore = accounts
        self.fleet: FleetStore = FakeFleetRepository(accounts)
        self.ratings: RatingStore = FakeRatingRepository(self.repo)
        self.dossiers: DossierStore = FakeDossierRepository()
        self.calendar: CalendarStore = FakeCalendarRepository()
        self.procedures: ProcedureStore = FakeProcedureRepository()
        self.appointments: AppointmentStore = FakeAppointmentRepository()
        self.events: list[dict[str, Any]] = []
        self.committed = False
        self.commits = 0
        self._pending: list[dict[str, Any]] = []

    def __call__(self, *, readonly: bool = False) -> FakeUnitOfWork:
        """The factory the use cases take (``Runtime.uow`` in the server)."""
        return self

    def __enter__(self) -> FakeUnitOfWork:
        self.committed = False
        self._pending = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._pending = []

    def record(self, **event: Any) -> None:
        self._pending.append(event)

    def hold_event_order(self, site_id: int) -> None:
        self.repo.order_events(site_id)

    def commit(self) -> None:
        self.events += self._pending
        self._pending = []
        self.committed = True
        self.commits += 1
