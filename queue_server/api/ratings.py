"""Satisfaction ratings: the quick one from the counter's rating terminal, the detailed
dossier one from the kiosk or a rating terminal, the catalogue both show, and the
statistics."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from queue_server.api.blueprint import bp
from queue_server.api.context import authorize, current_site, site_ref
from queue_server.api.spec import endpoint
from queue_server.flask_runtime import current_runtime
from queue_server.services.auth import DeviceKind, Forbidden, Permission, Principal, Role
from queue_server.services.ratings import (
    Rater,
    dossier_rating,
    rate_dossier,
    rate_ticket,
    rating_desk,
    rating_options,
    rating_stats,
)
from queue_server.services.site_ref import run_with_site


class QuickRatingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket_id: int = Field(ge=1)
    level: str = Field(min_length=1, max_length=20)
    reasons: list[str] = Field(default_factory=list, max_length=20)
    comment: str = Field("", max_length=500)


class DossierRatingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dossier_code: str = Field(min_length=1, max_length=200)
    scores: dict[str, int] = Field(min_length=1, max_length=9)
    comment: str = Field("", max_length=500)


class StatsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None


_RATERS = {DeviceKind.RATING, DeviceKind.COUNTER}
#: The citizen rates a dossier on a public device, never through a staff account.
_DOSSIER_RATERS = {DeviceKind.KIOSK, DeviceKind.RATING}


def _ticket_rater(who: Principal) -> Rater:
    """Rating terminals and counter keypads rate for their own counter; admins for any."""
    if who.role is Role.ADMIN:
        return Rater(who.label)
    if who.device in _RATERS and who.counter_id is not None:
        return Rater(who.label, who.counter_id)
    raise Forbidden(
        "Only a rating terminal paired to a counter may rate a ticket.",
        "Chỉ thiết bị đánh giá gắn với quầy mới được đánh giá lượt phục vụ.",
    )


def _dossier_rater(who: Principal) -> Rater:
    if who.device in _DOSSIER_RATERS:
        return Rater(who.label)
    raise Forbidden(
        "Only a kiosk or a rating terminal may rate a dossier: the citizen rates it there.",
        "Chỉ ki-ốt hoặc thiết bị đánh giá mới được đánh giá hồ sơ: công dân tự đánh giá tại đó.",
    )


def _scores(raw: dict[str, int]) -> dict[int, int]:
    # Not isdigit: "²" is a digit to it, and int() refuses it. 0 is no indicator.
    return {int(n) if n.isdecimal() else 0: s for n, s in raw.items()}


def _write(action: Any) -> Any:
    runtime = current_runtime()
    now = runtime.clock()
    return run_with_site(runtime.uow, site_ref(), lambda uow, site: action(uow, site, now))


@endpoint(
    bp,
    "/ratings",
    "POST",
    summary="Rate a served ticket (once), from the counter's rating terminal",
    tag="ratings",
    permission=Permission.READ,
    body=QuickRatingBody,
    responses={201: "The stored rating", 409: "Already rated, or not served yet"},
)
def create_rating(body: QuickRatingBody) -> Any:
    rater = _ticket_rater(authorize(Permission.READ))
    stored = _write(
        lambda uow, site, now: rate_ticket(
            uow, site, rater, body.ticket_id, body.level, body.reasons, body.comment, now
        )
    )
    return jsonify(stored), 201


@endpoint(
    bp,
    "/dossier-ratings",
    "POST",
    summary="Detailed rating of a dossier: nine indicators scored 2/1/0 (once per dossier)",
    tag="ratings",
    permission=Permission.READ,
    body=DossierRatingBody,
    responses={
        201: "The stored rating with its total",
        404: "No such dossier in the mirror",
        409: "Already rated",
    },
)
def create_dossier_rating(body: DossierRatingBody) -> Any:
    rater = _dossier_rater(authorize(Permission.READ))
    stored = _write(
        lambda uow, site, now: rate_dossier(
            uow, site, rater, body.dossier_code, _scores(body.scores), body.comment, now
        )
    )
    return jsonify(stored), 201


@endpoint(
    bp,
    "/dossier-ratings/<code>",
    "GET",
    summary="Whether a dossier was rated already (and when), to refuse at once after the scan",
    tag="ratings",
    permission=Permission.READ,
    responses={200: "Rated: when, and the refusal to show", 404: "Not rated yet"},
)
def read_dossier_rating(code: str) -> Any:
    _dossier_rater(authorize(Permission.READ))
    with current_runtime().uow(readonly=True) as uow:
        return jsonify(dossier_rating(uow, current_site(uow), code))


@endpoint(
    bp,
    "/ratings/options",
    "GET",
    summary="Rating levels, not-satisfied reasons and the nine indicators, in both languages",
    tag="ratings",
)
def options() -> Any:
    return jsonify(rating_options())


@endpoint(
    bp,
    "/ratings/desk",
    "GET",
    summary="The rating terminal's counter and the officer on duty",
    tag="ratings",
    permission=Permission.READ,
)
def desk() -> Any:
    who = authorize(Permission.READ)
    if who.counter_id is None:
        raise Forbidden(
            "This device is not paired to a counter.", "Thiết bị này chưa được gắn với quầy nào."
        )
    with current_runtime().uow(readonly=True) as uow:
        return jsonify(rating_desk(uow, current_site(uow), who.counter_id))


@endpoint(
    bp,
    "/ratings/stats",
    "GET",
    summary="Rating counts by level, per counter, officer and service; dossier indicators",
    tag="ratings",
    permission=Permission.READ,
    query=StatsQuery,
)
def stats(query: StatsQuery) -> Any:
    who = authorize(Permission.READ)
    if who.device is not None:
        raise Forbidden("Statistics are for staff accounts.", "Thống kê chỉ dành cho cán bộ.")
    with current_runtime().uow(readonly=True) as uow:
        return jsonify(rating_stats(uow, current_site(uow), query.since, query.until))
