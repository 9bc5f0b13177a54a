"""In-memory stand-ins for the rating, dossier, calendar and procedure repositories.

Each keeps the rules its SQL counterpart gets from the schema or the statement:
one rating per ticket and per dossier (the unique constraints), an older upstream
row never overwriting a newer one (the upsert's condition), a push digest seen
once (``ON CONFLICT DO NOTHING``). ``tests/unit/test_types.py`` has mypy check
them against the repository protocols.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from device_kit.contract.dossier_codes import DossierCode
from queue_server.adapters.appointment_repository import OutgoingSms
from queue_server.adapters.dossier_repository import FeedChanges, FeedState, MirroredDossier
from queue_server.adapters.procedure_repository import SEARCH_KEY_MAX
from queue_server.adapters.rating_repository import (
    DossierRatingRecord,
    QuickRatingRecord,
    RatedVisit,
)
from queue_server.dossiers.calendar import DayOverride
from queue_server.dossiers.procedure_search import VocabularyEntry, matches
from queue_server.dossiers.procedures import Procedure
from queue_server.dossiers.record import DossierRecord
from queue_server.queueing.appointments import Booking, BookingState
from queue_server.text import fold

if TYPE_CHECKING:  # the fake unit of work imports this module
    from fake_unit_of_work import FakeQueueRepository


def _within(at: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or at >= since) and (until is None or at < until)


class FakeRatingRepository:
    """Ratings in lists; the statistics join the queue fake for counter, officer, service."""

    def __init__(self, queue: FakeQueueRepository) -> None:
        self.queue = queue
        self.quick: dict[int, QuickRatingRecord] = {}
        self.detailed: dict[int, DossierRatingRecord] = {}
        self._ids = itertools.count(1)

    def quick_rating_taken(self, ticket_id: int) -> bool:
        return any(r.ticket_id == ticket_id for r in self.quick.values())

    def add_quick_rating(self, rating: QuickRatingRecord) -> int | None:
        if self.quick_rating_taken(rating.ticket_id):
            return None
        rating_id = next(self._ids)
        self.quick[rating_id] = rating
        return rating_id

    def dossier_rated_at(self, site_id: int, dossier_code: str) -> datetime | None:
        for rating in self.detailed.values():
            if (rating.site_id, rating.dossier_code) == (site_id, dossier_code):
                return rating.at
        return None

    def add_dossier_rating(self, rating: DossierRatingRecord) -> int | None:
        if self.dossier_rated_at(rating.site_id, rating.dossier_code) is not None:
            return None
        rating_id = next(self._ids)
        self.detailed[rating_id] = rating
        return rating_id

    def rated_visits(
        self, site_id: int, since: datetime | None, until: datetime | None
    ) -> list[RatedVisit]:
        return [
            RatedVisit(
                rating.level,
                list(rating.reasons),
                self.queue.counter(site_id, rating.counter_id).number,
                self.queue.officers.get(rating.officer_id or 0, ("", ""))[0] or None,
                self.queue.service_by_id(rating.service_id).code,
            )
            for rating in self.quick.values()
            if rating.site_id == site_id and _within(rating.at, since, until)
        ]

    def dossier_scores(
        self, site_id: int, since: datetime | None, until: datetime | None
    ) -> list[dict[str, int]]:
        return [
            dict(rating.scores)
            for rating in self.detailed.values()
            if rating.site_id == site_id and _within(rating.at, since, until)
        ]


class FakeDossierRepository:
    def __init__(self) -> None:
        self.mirror: dict[tuple[int, str], MirroredDossier] = {}
        self.feeds: dict[tuple[int, str], FeedState] = {}
        self.deliveries: dict[str, datetime] = {}
        self.stored_settings: dict[int, Mapping[str, object]] = {}

    def upsert(
        self, site_id: int, records: Sequence[DossierRecord], source: str, now: datetime
    ) -> None:
        for record in records:
            key = (site_id, str(record.code))
            held = self.mirror.get(key)
            older = (
                held is not None
                and held.record.updated_at is not None
                and record.updated_at is not None
                and record.updated_at < held.record.updated_at
            )
            if not older:
                self.mirror[key] = MirroredDossier(record, now)

    def find(self, site_id: int, code: DossierCode) -> MirroredDossier | None:
        return self.mirror.get((site_id, str(code)))

    def of_applicant(self, site_id: int, id_hash: str, limit: int) -> list[MirroredDossier]:
        held = [
            m
            for (site, _), m in self.mirror.items()
            if site == site_id and m.record.applicant_id_hash == id_hash
        ]
        held.sort(key=lambda m: (-m.record.received_at.timestamp(), str(m.record.code)))
        return held[:limit]

    def feed_state(self, site_id: int, source: str) -> FeedState:
        return self.feeds.get((site_id, source), FeedState(source, "", None, None, "", 0))

    def save_feed(self, site_id: int, source: str, changes: FeedChanges) -> None:
        self.feeds[(site_id, source)] = replace(self.feed_state(site_id, source), **changes)

    def last_success(self, site_id: int) -> datetime | None:
        times = [
            state.last_success_at
            for (site, _), state in self.feeds.items()
            if site == site_id and state.last_success_at is not None
        ]
        return max(times, default=None)

    def forget_deliveries(self, before: datetime) -> None:
        self.deliveries = {d: at for d, at in self.deliveries.items() if at >= before}

    def note_delivery(self, site_id: int, digest: str, now: datetime) -> bool:
        if digest in self.deliveries:
            return False
        self.deliveries[digest] = now
        return True

    def settings(self, site_id: int) -> Mapping[str, object] | None:
        return self.stored_settings.get(site_id)

    def save_settings(self, site_id: int, config: Mapping[str, object], now: datetime) -> None:
        self.stored_settings[site_id] = dict(config)


class FakeCalendarRepository:
    def __init__(self) -> None:
        self.days: dict[int, list[DayOverride]] = {}

    def overrides(self, site_id: int, year: int | None = None) -> list[DayOverride]:
        held = sorted(self.days.get(site_id, []), key=lambda o: o.day)
        return [o for o in held if year is None or o.day.year == year]

    def replace_year(self, site_id: int, year: int, overrides: Sequence[DayOverride]) -> None:
        kept = [o for o in self.days.get(site_id, []) if o.day.year != year]
        self.days[site_id] = kept + list(overrides)


class FakeProcedureRepository:
    def __init__(self) -> None:
        self.catalogue: dict[tuple[int, str], Procedure] = {}
        self.entries: dict[tuple[int, str], VocabularyEntry] = {}

    def upsert(self, site_id: int, catalogue: Sequence[Procedure]) -> None:
        self.catalogue |= {(site_id, p.code): p for p in catalogue}

    def search(self, site_id: int, words: Sequence[str]) -> list[Procedure]:
        found = [
            p
            for (site, _), p in self.catalogue.items()
            if site == site_id and matches(p.search_key[:SEARCH_KEY_MAX], words)
        ]
        return sorted(found, key=lambda p: (p.name, p.code))

    def find(self, site_id: int, code: str) -> Procedure | None:
        return self.catalogue.get((site_id, code))

    def vocabulary(self, site_id: int) -> list[VocabularyEntry]:
        return [e for (site, _), e in sorted(self.entries.items()) if site == site_id]

    def save_vocabulary_entry(self, site_id: int, entry: VocabularyEntry) -> None:
        self.entries[(site_id, fold(entry.phrase))] = entry


class FakeAppointmentRepository:
    """``AppointmentRepository`` over lists: bookings, places per slot, the outbox."""

    def __init__(self) -> None:
        self.bookings: list[Booking] = []
        self.places: dict[tuple[int, datetime], int] = {}
        self.outbox: list[dict[str, object]] = []
        self._ids = itertools.count(1)

    def taken(self, service_id: int, starts: Sequence[datetime]) -> dict[datetime, int]:
        return {s: self.places[(service_id, s)] for s in starts if (service_id, s) in self.places}

    def take_place(self, service_id: int, slot_start: datetime, capacity: int) -> bool:
        held = self.places.get((service_id, slot_start), 0)
        if held >= capacity:
            return False
        self.places[(service_id, slot_start)] = held + 1
        return True

    def free_place(self, service_id: int, slot_start: datetime) -> None:
        key = (service_id, slot_start)
        self.places[key] = max(0, self.places.get(key, 0) - 1)

    def add(self, booking: Booking) -> int:
        booking.id = next(self._ids)
        self.bookings.append(booking)
        return booking.id

    def by_code(self, site_id: int, code: str) -> Booking | None:
        return next((b for b in self.bookings if (b.site_id, b.code) == (site_id, code)), None)

    def by_ticket(self, ticket_id: int) -> Booking | None:
        return next((b for b in self.bookings if b.ticket_id == ticket_id), None)

    def holding(self, site_id: int, phone: str, day: str) -> list[Booking]:
        return self._holding(lambda b: (b.site_id, b.phone, b.day) == (site_id, phone, day))

    def holding_by_id(self, site_id: int, id_hash: str, day: str) -> list[Booking]:
        return self._holding(lambda b: (b.site_id, b.id_hash, b.day) == (site_id, id_hash, day))

    def _holding(self, whose: Callable[[Booking], bool]) -> list[Booking]:
        found = [
            b
            for b in self.bookings
            if whose(b) and b.state in (BookingState.BOOKED, BookingState.CHECKED_IN)
        ]
        return sorted(found, key=lambda b: b.slot_start)

    def move(self, booking: Booking, target: BookingState, **values: object) -> bool:
        stored = next(b for b in self.bookings if b.id == booking.id)
        if stored.state is not booking.state:
            return False
        for target_booking in {id(stored): stored, id(booking): booking}.values():
            target_booking.state = target
            for key, value in values.items():
                setattr(target_booking, key, value)
        return True

    def release_missed(self, site_id: int, before: datetime) -> int:
        missed = [
            b
            for b in self.bookings
            if b.site_id == site_id and b.state is BookingState.BOOKED and b.slot_start < before
        ]
        for booking in missed:
            booking.state = BookingState.MISSED
        return len(missed)

    def queue_sms(
        self, site_id: int, phone: str, body: str, kind: str, appointment_id: int, due: datetime
    ) -> None:
        self.outbox.append(
            {"id": next(self._ids), "phone": phone, "body": body, "kind": kind,
             "appointment_id": appointment_id, "due": due, "sent": None, "attempts": 0}
        )

    def drop_unsent(self, appointment_id: int) -> None:
        self.outbox = [
            m for m in self.outbox if m["appointment_id"] != appointment_id or m["sent"]
        ]

    def due_sms(self, now: datetime, limit: int, max_attempts: int) -> list[OutgoingSms]:
        due = [
            OutgoingSms(int(str(m["id"])), str(m["phone"]), str(m["body"]), str(m["kind"]), 0)
            for m in self.outbox
            if m["sent"] is None and m["due"] <= now  # type: ignore[operator]
        ]
        return due[:limit]

    def sms_done(self, sms_id: int, sent_at: datetime | None) -> None:
        for message in self.outbox:
            if message["id"] == sms_id and sent_at is not None:
                message["sent"] = sent_at
