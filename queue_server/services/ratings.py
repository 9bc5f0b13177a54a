"""Storing and counting satisfaction ratings.

Quick ratings come from the rating terminal at a counter, once per served
ticket, and are bound to that ticket's counter, officer and service. Detailed
ratings (Circular 01/2018, art. 13: nine indicators scored 2/1/0) are given at
the kiosk or a rating terminal after scanning a dossier's QR code, once per
dossier the mirror holds, and name the device that sent them. The rules of
the scores themselves live in :mod:`queue_server.dossiers.rating`.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from device_kit.contract.dossier_codes import DossierCode
from device_kit.contract.errors import DossierError
from device_kit.contract.events import EventKind
from device_kit.contract.rating_levels import QuickLevel, Reason
from queue_server.adapters.rating_repository import DossierRatingRecord, QuickRatingRecord
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.errors import UnknownDossier
from queue_server.dossiers.rating import INDICATORS, DetailedRating, QuickRating, summarise
from queue_server.queueing.errors import NotFound, QueueError
from queue_server.queueing.model import Site, TicketState
from queue_server.services.auth import Forbidden


class AlreadyRated(QueueError):
    code = "already_rated"
    status = 409
    message = "This ticket has already been rated; a ticket is rated once."
    message_vi = "Số thứ tự này đã được đánh giá; mỗi lượt chỉ đánh giá một lần."


class DossierAlreadyRated(AlreadyRated):
    message = "This dossier has already been rated."
    message_vi = "Hồ sơ này đã được đánh giá."


class DossierNotRated(NotFound):
    code = "not_rated"
    message = "This dossier has not been rated yet."
    message_vi = "Hồ sơ này chưa được đánh giá."


class NotRateable(QueueError):
    code = "not_rateable"
    status = 409
    message = "Only a ticket that has been served can be rated."
    message_vi = "Chỉ đánh giá được lượt đã giải quyết xong."


class InvalidRatingInput(QueueError):
    code = "invalid_rating"
    status = 400


def _refusal(exc: DossierError) -> InvalidRatingInput:
    return InvalidRatingInput(exc.message, exc.message_vi)


@dataclass(frozen=True)
class Rater:
    """Who sends the rating: a device label, and the counter it is paired to (if any)."""

    label: str
    counter_id: int | None = None


def rate_ticket(
    uow: UnitOfWork,
    site: Site,
    rater: Rater,
    ticket_id: int,
    level: str,
    reasons: Iterable[str],
    comment: str,
    now: datetime,
) -> dict[str, Any]:
    """Store the one quick rating of a served ticket. The ``ticket.rated`` event it
    records leaves the level out: the events stream is public like the hall board."""
    try:
        rating = QuickRating.from_codes(level, reasons, comment)
    except DossierError as exc:
        raise _refusal(exc) from None
    ticket = uow.repo.ticket(site.id or 0, ticket_id)
    if rater.counter_id is not None and ticket.counter_id != rater.counter_id:
        raise Forbidden(
            "This rating terminal rates only the tickets of its own counter.",
            "Thiết bị đánh giá này chỉ đánh giá các lượt của quầy mình.",
        )
    if ticket.state is not TicketState.DONE or ticket.counter_id is None:
        raise NotRateable()
    if uow.ratings.quick_rating_taken(ticket.id or 0):
        raise AlreadyRated()
    reasons = sorted(r.code for r in rating.reasons)
    rating_id = uow.ratings.add_quick_rating(
        QuickRatingRecord(
            site_id=site.id or 0,
            ticket_id=ticket.id or 0,
            counter_id=ticket.counter_id,
            officer_id=ticket.officer_id,
            service_id=ticket.service_id,
            level=rating.level.value,
            reasons=reasons,
            comment=rating.comment,
            device=rater.label,
            at=now,
        )
    )
    if rating_id is None:
        raise AlreadyRated()
    counter = uow.repo.counter(site.id or 0, ticket.counter_id)
    uow.record(
        site_id=site.id,
        kind=EventKind.TICKET_RATED,
        actor=rater.label,
        at=now,
        service_id=ticket.service_id,
        counter_id=ticket.counter_id,
        ticket_id=ticket.id,
        payload={
            "counter": counter.number,
            "counter_id": counter.id,
            "ticket_id": ticket.id,
            "number": ticket.number,
        },
    )
    return {
        "id": rating_id,
        "ticket_id": ticket.id,
        "number": ticket.number,
        "counter": counter.number,
        "officer_id": ticket.officer_id,
        "level": rating.level.value,
        "reasons": reasons,
        "at": now.isoformat(),
    }


def _dossier_code(code: str) -> str:
    """The canonical spelling, so a rating is found however the code was typed or scanned."""
    try:
        return str(DossierCode.parse(code))
    except DossierError as exc:
        raise _refusal(exc) from None


def dossier_rating(uow: UnitOfWork, site: Site, code: str) -> dict[str, Any]:
    """Whether a dossier was rated and when, so the kiosk can say so right after the scan.
    No scores and no device: only the refusal the visitor would otherwise meet at the end."""
    dossier = _dossier_code(code)
    at = uow.ratings.dossier_rated_at(site.id or 0, dossier)
    if at is None:
        raise DossierNotRated()
    return {
        "dossier_code": dossier,
        "rated": True,
        "at": at.isoformat(),
        "message": DossierAlreadyRated.message,
        "message_vi": DossierAlreadyRated.message_vi,
    }


def rate_dossier(
    uow: UnitOfWork,
    site: Site,
    rater: Rater,
    code: str,
    scores: dict[int, int],
    comment: str,
    now: datetime,
) -> dict[str, Any]:
    """Store the one detailed (nine-indicator) rating of a dossier the mirror holds:
    a code nobody received cannot be rated (nor its rating slot taken ahead)."""
    dossier = _dossier_code(code)
    try:
        rating = DetailedRating(dict(scores))
    except DossierError as exc:
        raise _refusal(exc) from None
    if uow.dossiers.find(site.id or 0, DossierCode.parse(dossier)) is None:
        raise UnknownDossier()
    if uow.ratings.dossier_rated_at(site.id or 0, dossier) is not None:
        raise DossierAlreadyRated()
    stored = {str(n): s for n, s in sorted(rating.scores.items())}
    rating_id = uow.ratings.add_dossier_rating(
        DossierRatingRecord(
            site_id=site.id or 0,
            dossier_code=dossier,
            scores=stored,
            total=rating.total,
            maximum=rating.maximum,
            comment=comment.strip(),
            device=rater.label,
            at=now,
        )
    )
    if rating_id is None:
        raise DossierAlreadyRated()
    return {
        "id": rating_id,
        "dossier_code": dossier,
        "scores": stored,
        "total": rating.total,
        "maximum": rating.maximum,
    }


def rating_options() -> dict[str, Any]:
    """The catalogue a terminal or kiosk shows: levels, reasons, the nine indicators."""
    return {
        "levels": [
            {
                "code": q.value,
                "label_vi": q.label_vi,
                "label_en": q.label_en,
                "asks_reasons": q.asks_reasons,
            }
            for q in QuickLevel
        ],
        "reasons": [
            {"code": r.code, "label_vi": r.label_vi, "label_en": r.label_en} for r in Reason
        ],
        "indicators": [
            {
                "number": i.number,
                "name_vi": i.name_vi,
                "name_en": i.name_en,
                "levels_vi": list(i.levels_vi),
                "levels_en": list(i.levels_en),
                "asked_of_citizen": i.asked_of_citizen,
            }
            for i in INDICATORS
        ],
    }


def rating_desk(uow: UnitOfWork, site: Site, counter_id: int) -> dict[str, Any]:
    """What the idle rating terminal shows: its counter and the officer on duty."""
    counter = uow.repo.counter(site.id or 0, counter_id)
    officer = None if counter.officer_id is None else uow.repo.officer_name(counter.officer_id)
    return {
        "counter_id": counter.id,
        "counter": counter.number,
        "counter_name": counter.name,
        "officer": officer,
    }


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def rating_stats(
    uow: UnitOfWork, site: Site, since: datetime | None, until: datetime | None
) -> dict[str, Any]:
    """Counts of quick ratings by level, per counter / officer / service, and the reasons;
    the detailed ratings summarised per indicator."""
    groups: dict[str, dict[Any, Tally[str]]] = {"counter": {}, "officer": {}, "service": {}}
    levels: Tally[str] = Tally()
    reasons: Tally[str] = Tally()
    for visit in uow.ratings.rated_visits(site.id or 0, since, until):
        levels[visit.level] += 1
        reasons.update(visit.reasons)
        for name, tally in groups.items():
            tally.setdefault(getattr(visit, name), Tally())[visit.level] += 1
    summary = summarise(
        DetailedRating({int(n): s for n, s in scores.items()})
        for scores in uow.ratings.dossier_scores(site.id or 0, since, until)
    )
    return {
        "quick": {
            **_level_counts(levels),
            "reasons": dict(reasons.most_common()),
            **{
                f"by_{name}": [
                    {name: key, **_level_counts(tally)}
                    for key, tally in sorted(per.items(), key=lambda kv: str(kv[0]))
                ]
                for name, per in groups.items()
            },
        },
        "detailed": {
            "count": summary.count,
            "mean_by_indicator": {
                str(n): round(m, 3) for n, m in summary.mean_by_indicator.items()
            },
            "total": summary.total,
            "maximum": summary.maximum,
            "percent": round(summary.percent, 1),
        },
    }


def _level_counts(tally: Tally[str]) -> dict[str, Any]:
    total = sum(tally.values())
    satisfied = tally[QuickLevel.VERY_SATISFIED.value] + tally[QuickLevel.SATISFIED.value]
    return {
        "total": total,
        "levels": {level.value: tally[level.value] for level in QuickLevel},
        "satisfied_percent": _share(satisfied, total),
    }
