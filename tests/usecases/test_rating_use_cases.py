"""Rating use cases on the fake unit of work: a served ticket and a mirrored dossier
are each rated once, a rating names who sent it, and the statistics count them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fake_unit_of_work import FakeUnitOfWork

from device_kit.contract.dossier_codes import DossierCode
from queue_server.dossiers.errors import UnknownDossier
from queue_server.dossiers.record import DossierRecord
from queue_server.dossiers.status import DossierStatus
from queue_server.services.counter_actions import Actor, CounterDesk, act
from queue_server.services.dossier_mirror import upsert_dossiers
from queue_server.services.ratings import (
    AlreadyRated,
    DossierAlreadyRated,
    Rater,
    rate_dossier,
    rate_ticket,
    rating_desk,
    rating_stats,
)
from queue_server.services.site_ref import SiteRef
from queue_server.services.tickets import IssueRequest, issue_ticket
from queue_server.services.unit_of_work import run

SITE = SiteRef(code="hcm")
CODE = "000.00.06.H56-231027-0361"
NOW = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Hồ Chí Minh City
ALL_GOOD = {n: 2 for n in range(1, 10)}


def mirror(uow: FakeUnitOfWork, code: str = CODE) -> None:
    record = DossierRecord(DossierCode.parse(code), DossierStatus(4), NOW - timedelta(days=3))
    run(uow, lambda u: upsert_dossiers(u, 1, [record], "import", NOW))


def test_a_mirrored_dossier_is_rated_once_and_the_rating_names_the_device(
    uow: FakeUnitOfWork,
) -> None:
    mirror(uow)
    site = uow.repo.site_by_id(1)
    kiosk = Rater("kiosk-sanh-1")

    scores = ALL_GOOD | {9: 0}
    first = run(uow, lambda u: rate_dossier(u, site, kiosk, CODE.lower(), scores, " Tốt ", NOW))
    with pytest.raises(DossierAlreadyRated):
        run(uow, lambda u: rate_dossier(u, site, Rater("rating-2"), CODE, ALL_GOOD, "", NOW))

    (stored,) = uow.ratings.detailed.values()
    assert (stored.dossier_code, stored.device, stored.comment) == (CODE, "kiosk-sanh-1", "Tốt")
    assert (first["total"], first["maximum"]) == (16, 18)
    assert stored.scores == first["scores"] == {str(n): s for n, s in scores.items()}
    detailed = rating_stats(uow, site, None, None)["detailed"]
    assert (detailed["count"], detailed["total"]) == (1, 16)


def test_a_dossier_the_mirror_never_received_cannot_be_rated(uow: FakeUnitOfWork) -> None:
    site = uow.repo.site_by_id(1)

    with pytest.raises(UnknownDossier):
        run(uow, lambda u: rate_dossier(u, site, Rater("kiosk-1"), CODE, ALL_GOOD, "", NOW))

    assert uow.ratings.detailed == {}


def test_a_served_ticket_is_rated_once_and_counted_for_its_counter_and_officer(
    uow: FakeUnitOfWork,
) -> None:
    uow.repo.officers[7] = ("lan", "Nguyễn Thị Lan")
    officer = Actor("user:lan", user_id=7)
    ticket = issue_ticket(uow, SITE, IssueRequest("ho-tich"), "device:kiosk-1", NOW, 20)
    for step in (CounterDesk.call_next, CounterDesk.finish):
        act(uow, SITE, 4, officer, NOW + timedelta(minutes=5), step)
    site = uow.repo.site_by_id(1)
    terminal = Rater("rating-quay-1", counter_id=4)
    later = NOW + timedelta(minutes=6)

    def rate(level: str, reasons: list[str]) -> Any:
        return run(
            uow, lambda u: rate_ticket(u, site, terminal, ticket["id"], level, reasons, "", later)
        )

    view = rate("not_satisfied", ["long_wait"])
    with pytest.raises(AlreadyRated):
        rate("satisfied", [])

    assert (view["counter"], view["level"], view["reasons"]) == (1, "not_satisfied", ["long_wait"])
    assert uow.events[-1]["kind"] == "ticket.rated"
    assert "level" not in uow.events[-1]["payload"]  # the event stream is public
    quick = rating_stats(uow, site, NOW, NOW + timedelta(hours=1))["quick"]
    assert (quick["total"], quick["reasons"]) == (1, {"long_wait": 1})
    assert quick["by_officer"][0]["officer"] == "lan"
    assert quick["by_service"][0]["service"] == "ho-tich"
    assert rating_stats(uow, site, later + timedelta(minutes=1), None)["quick"]["total"] == 0


def test_the_rating_desk_names_the_officer_on_duty(uow: FakeUnitOfWork) -> None:
    uow.repo.officers[7] = ("lan", "Nguyễn Thị Lan")
    site = uow.repo.site_by_id(1)

    assert rating_desk(uow, site, 4)["officer"] is None
    uow.repo.counter(1, 4).officer_id = 7
    assert rating_desk(uow, site, 4)["officer"] == "Nguyễn Thị Lan"
