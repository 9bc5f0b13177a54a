"""Appointments in the database: bookings, the places taken per slot, the SMS outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, Row, delete, insert, select, update
from sqlalchemy.orm import Session

from queue_server.adapters.database import dialect_insert
from queue_server.adapters.tables import appointment_slots, appointments, sms_outbox
from queue_server.queueing.appointments import HOLDING_STATES, Booking, BookingState


@dataclass(frozen=True)
class OutgoingSms:
    id: int
    phone: str
    body: str
    kind: str
    attempts: int


class AppointmentStore(Protocol):
    """What the appointment use cases ask of storage (``AppointmentRepository``)."""

    def taken(self, service_id: int, starts: Sequence[datetime]) -> dict[datetime, int]: ...
    def take_place(self, service_id: int, slot_start: datetime, capacity: int) -> bool: ...
    def free_place(self, service_id: int, slot_start: datetime) -> None: ...
    def add(self, booking: Booking) -> int: ...
    def by_code(self, site_id: int, code: str) -> Booking | None: ...
    def by_ticket(self, ticket_id: int) -> Booking | None: ...
    def holding(self, site_id: int, phone: str, day: str) -> list[Booking]: ...
    def holding_by_id(self, site_id: int, id_hash: str, day: str) -> list[Booking]: ...
    def move(self, booking: Booking, target: BookingState, **values: object) -> bool: ...
    def release_missed(self, site_id: int, before: datetime) -> int: ...
    def queue_sms(
        self, site_id: int, phone: str, body: str, kind: str, appointment_id: int, due: datetime
    ) -> None: ...
    def drop_unsent(self, appointment_id: int) -> None: ...
    def due_sms(self, now: datetime, limit: int, max_attempts: int) -> list[OutgoingSms]: ...
    def sms_done(self, sms_id: int, sent_at: datetime | None) -> None: ...


def _booking(row: Row[tuple[object, ...]]) -> Booking:
    m = row._mapping
    return Booking(
        site_id=m["site_id"],
        service_id=m["service_id"],
        code=m["code"],
        phone=m["phone"],
        name=m["name"],
        slot_start=m["slot_start"],
        slot_end=m["slot_end"],
        day=m["day"],
        created_at=m["created_at"],
        state=BookingState(m["state"]),
        client_address=m["client_address"],
        checked_in_at=m["checked_in_at"],
        ticket_id=m["ticket_id"],
        id_hash=m["id_hash"],
        id=m["id"],
    )


class AppointmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def taken(self, service_id: int, starts: Sequence[datetime]) -> dict[datetime, int]:
        """Places taken in each of ``starts`` (a slot nobody booked is absent)."""
        if not starts:
            return {}
        s = appointment_slots.c
        rows = self.session.execute(
            select(s.slot_start, s.booked).where(
                s.service_id == service_id, s.slot_start.in_(list(starts))
            )
        )
        return {r.slot_start: r.booked for r in rows}

    def take_place(self, service_id: int, slot_start: datetime, capacity: int) -> bool:
        """Take one place in the slot if one is free. The conditional UPDATE holds the
        slot's row (PostgreSQL re-reads ``booked`` once it has it; SQLite writes one at a
        time), so ``booked`` never passes ``capacity`` however many book at once."""
        s = appointment_slots.c
        self.session.execute(
            dialect_insert(self.session, appointment_slots)
            .values(service_id=service_id, slot_start=slot_start, booked=0)
            .on_conflict_do_nothing(index_elements=[s.service_id, s.slot_start])
        )
        done = self.session.execute(
            update(appointment_slots)
            .where(s.service_id == service_id, s.slot_start == slot_start, s.booked < capacity)
            .values(booked=s.booked + 1)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    def free_place(self, service_id: int, slot_start: datetime) -> None:
        s = appointment_slots.c
        self.session.execute(
            update(appointment_slots)
            .where(s.service_id == service_id, s.slot_start == slot_start, s.booked > 0)
            .values(booked=s.booked - 1)
        )

    def add(self, booking: Booking) -> int:
        values = {
            "site_id": booking.site_id,
            "service_id": booking.service_id,
            "code": booking.code,
            "phone": booking.phone,
            "name": booking.name,
            "slot_start": booking.slot_start,
            "slot_end": booking.slot_end,
            "day": booking.day,
            "state": booking.state.value,
            "created_at": booking.created_at,
            "client_address": booking.client_address,
            "id_hash": booking.id_hash,
        }
        new_id = self.session.execute(
            insert(appointments).values(values).returning(appointments.c.id)
        ).scalar_one()
        booking.id = int(new_id)
        return booking.id

    def by_code(self, site_id: int, code: str) -> Booking | None:
        a = appointments.c
        row = self.session.execute(
            select(appointments).where(a.site_id == site_id, a.code == code)
        ).first()
        return _booking(row) if row else None

    def by_ticket(self, ticket_id: int) -> Booking | None:
        row = self.session.execute(
            select(appointments).where(appointments.c.ticket_id == ticket_id)
        ).first()
        return _booking(row) if row else None

    def holding(self, site_id: int, phone: str, day: str) -> list[Booking]:
        """The phone number's bookings of ``day`` that still hold a place, earliest first."""
        return self._holding(site_id, appointments.c.phone == phone, day)

    def holding_by_id(self, site_id: int, id_hash: str, day: str) -> list[Booking]:
        """The bookings of ``day`` that recorded this ID hash and still hold a place."""
        return self._holding(site_id, appointments.c.id_hash == id_hash, day)

    def _holding(self, site_id: int, whose: ColumnElement[bool], day: str) -> list[Booking]:
        a = appointments.c
        rows = self.session.execute(
            select(appointments)
            .where(
                a.site_id == site_id,
                whose,
                a.day == day,
                a.state.in_([s.value for s in HOLDING_STATES]),
            )
            .order_by(a.slot_start)
        )
        return [_booking(r) for r in rows]

    def move(self, booking: Booking, target: BookingState, **values: object) -> bool:
        """Move a booking on from the state it was read in; False when someone else
        moved it first (a second check-in of the same code)."""
        a = appointments.c
        done = self.session.execute(
            update(appointments)
            .where(a.id == booking.id, a.state == booking.state.value)
            .values(state=target.value, **values)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return False
        booking.state = target
        for key, value in values.items():
            setattr(booking, key, value)
        return True

    def release_missed(self, site_id: int, before: datetime) -> int:
        """Bookings still waiting whose check-in window closed before ``before``."""
        a = appointments.c
        done = self.session.execute(
            update(appointments)
            .where(
                a.site_id == site_id,
                a.state == BookingState.BOOKED.value,
                a.slot_start < before,
            )
            .values(state=BookingState.MISSED.value)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]

    # the SMS outbox -------------------------------------------------------------------
    def queue_sms(
        self, site_id: int, phone: str, body: str, kind: str, appointment_id: int, due: datetime
    ) -> None:
        self.session.execute(
            insert(sms_outbox).values(
                site_id=site_id,
                phone=phone,
                body=body,
                kind=kind,
                appointment_id=appointment_id,
                due_at=due,
                attempts=0,
            )
        )

    def drop_unsent(self, appointment_id: int) -> None:
        o = sms_outbox.c
        self.session.execute(
            delete(sms_outbox).where(o.appointment_id == appointment_id, o.sent_at.is_(None))
        )

    def due_sms(self, now: datetime, limit: int, max_attempts: int) -> list[OutgoingSms]:
        """Unsent messages due by ``now`` and not yet given up, oldest first."""
        o = sms_outbox.c
        rows = self.session.execute(
            select(o.id, o.phone, o.body, o.kind, o.attempts)
            .where(o.sent_at.is_(None), o.due_at <= now, o.attempts < max_attempts)
            .order_by(o.due_at, o.id)
            .limit(limit)
        )
        return [OutgoingSms(r.id, r.phone, r.body, r.kind, r.attempts) for r in rows]

    def sms_done(self, sms_id: int, sent_at: datetime | None) -> None:
        """A message sent (``sent_at``), or one more failed attempt (None)."""
        o = sms_outbox.c
        values: dict[str, object] = (
            {"sent_at": sent_at} if sent_at else {"attempts": o.attempts + 1}
        )
        self.session.execute(update(sms_outbox).where(o.id == sms_id).values(values))
