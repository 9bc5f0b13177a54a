"""Ratings through the API: one per served ticket, bound to the terminal's counter,
the detailed dossier rating, and the statistics, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from dossier_fixtures import mirror_codes
from server_fixtures import Api
from sqlalchemy import func, select

from queue_server.adapters.tables import dossier_ratings, quick_ratings
from queue_server.services.auth import issue_token

CODE = "000.00.06.H56-231027-0361"


@pytest.fixture
def rated(api: Api) -> Api:
    """Rating terminals paired to counters 3 and 4, officer signed in at counter 3,
    and dossier ``CODE`` in the mirror."""
    mirror_codes(api.runtime, CODE)
    with api.runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        for number in (3, 4):
            api.tokens[f"rating{number}"] = issue_token(
                uow,
                site_id=site.id,
                kind="rating",
                name=f"rating-{number}",
                now=api.runtime.clock(),
                counter_id=api.counters[number],
            )
        uow.commit()
    assert api.desk(3, "sign-in", "officer").status_code == 200
    return api


def served(api: Api, counter: int = 3, who: str = "officer") -> dict[str, Any]:
    """Issue a ho-tich ticket, call it at ``counter`` and finish it."""
    issued = api.issue("ho-tich")
    called = api.desk(counter, "call-next", who)
    assert called.json["number"] == issued["number"]
    assert api.desk(counter, "finish", who).status_code == 200
    return issued


def rate(api: Api, ticket_id: int, who: str = "rating3", **body: Any) -> Any:
    return api.call(
        "POST", "/ratings", who, json={"ticket_id": ticket_id, "level": "satisfied", **body}
    )


def test_a_served_ticket_is_rated_once_and_bound_to_counter_officer_service(rated: Api) -> None:
    ticket = served(rated)
    first = rate(rated, ticket["id"], level="very_satisfied")
    second = rate(rated, ticket["id"], level="not_satisfied")

    assert first.status_code == 201
    assert first.json["number"] == ticket["number"]
    assert first.json["counter"] == 3
    assert first.json["level"] == "very_satisfied"
    assert second.status_code == 409
    assert second.json["error"]["code"] == "already_rated"
    assert second.json["error"]["message_vi"] == (
        "Số thứ tự này đã được đánh giá; mỗi lượt chỉ đánh giá một lần."
    )
    with rated.runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(select(quick_ratings)).all()
        officer_id = uow.session.execute(select(func.min(quick_ratings.c.officer_id))).scalar_one()
    assert len(rows) == 1
    assert rows[0].counter_id == rated.counters[3]
    assert rows[0].level == "very_satisfied"
    assert officer_id is not None
    assert rated.call("GET", "/ratings/stats", "supervisor").json["quick"]["by_officer"] == [
        {
            "officer": "officer",
            "total": 1,
            "levels": {
                "very_satisfied": 1,
                "satisfied": 0,
                "not_satisfied": 0,
                "very_unsatisfied": 0,
            },
            "satisfied_percent": 100.0,
        }
    ]


def test_a_terminal_rates_only_its_own_counter(rated: Api) -> None:
    ticket = served(rated)
    refused = rate(rated, ticket["id"], who="rating4")
    assert refused.status_code == 403
    assert "quầy mình" in refused.json["error"]["message_vi"]
    assert rate(rated, ticket["id"], who="rating3").status_code == 201


def test_unpaired_devices_and_officers_cannot_rate(rated: Api) -> None:
    ticket = served(rated)
    for who in ("rating", "kiosk", "board", "officer"):
        assert rate(rated, ticket["id"], who=who).status_code == 403, who
    assert rate(rated, ticket["id"], who="admin").status_code == 201


def test_a_ticket_still_waiting_or_at_the_counter_cannot_be_rated(rated: Api) -> None:
    waiting = rated.issue("ho-tich")
    assert rate(rated, waiting["id"], who="admin").json["error"]["code"] == "not_rateable"
    rated.desk(3, "call-next", "officer")
    answer = rate(rated, waiting["id"])
    assert answer.status_code == 409
    assert answer.json["error"]["message_vi"] == "Chỉ đánh giá được lượt đã giải quyết xong."


def test_reasons_only_with_not_satisfied_and_unknown_codes_refused(rated: Api) -> None:
    ticket = served(rated)
    wrong = rate(rated, ticket["id"], level="satisfied", reasons=["long_wait"])
    unknown = rate(rated, ticket["id"], level="so-so")
    assert (wrong.status_code, wrong.json["error"]["code"]) == (400, "invalid_rating")
    assert unknown.json["error"]["message_vi"] == "Mức đánh giá hoặc lý do không hợp lệ."
    good = rate(rated, ticket["id"], level="not_satisfied", reasons=["long_wait", "attitude"])
    assert good.json["reasons"] == ["attitude", "long_wait"]
    stats = rated.call("GET", "/ratings/stats", "admin").json["quick"]
    assert stats["reasons"] == {"attitude": 1, "long_wait": 1}
    assert stats["satisfied_percent"] == 0.0


def test_statistics_per_counter_and_service_for_staff_only(rated: Api) -> None:
    for level in ("very_satisfied", "satisfied", "not_satisfied", "satisfied"):
        rate(rated, served(rated)["id"], level=level)
    stats = rated.call("GET", "/ratings/stats", "supervisor")
    assert stats.status_code == 200
    quick = stats.json["quick"]
    assert quick["total"] == 4
    assert quick["satisfied_percent"] == 75.0
    assert [(c["counter"], c["total"]) for c in quick["by_counter"]] == [(3, 4)]
    assert [(s["service"], s["total"]) for s in quick["by_service"]] == [("ho-tich", 4)]
    later = rated.call("GET", "/ratings/stats?since=2030-01-01T00:00:00Z", "supervisor")
    assert later.json["quick"]["total"] == 0
    assert rated.call("GET", "/ratings/stats", "board").status_code == 403


def test_the_terminal_desk_shows_its_counter_and_officer(rated: Api) -> None:
    desk = rated.call("GET", "/ratings/desk", "rating3").json
    assert desk["counter"] == 3
    assert desk["counter_name"] == "Quầy 3 – Hộ tịch"
    assert desk["officer"] == "officer"
    assert rated.call("GET", "/ratings/desk", "rating4").json["officer"] is None


def test_detailed_dossier_rating_once_per_dossier_with_total(rated: Api) -> None:
    scores = {"1": 2, "3": 1, "4": 2, "7": 0}
    first = rated.call(
        "POST",
        "/dossier-ratings",
        "kiosk",
        json={"dossier_code": f" {CODE.lower()} ", "scores": scores},
    )
    again = rated.call(
        "POST", "/dossier-ratings", "kiosk", json={"dossier_code": CODE, "scores": scores}
    )
    assert first.status_code == 201
    assert (first.json["dossier_code"], first.json["total"], first.json["maximum"]) == (CODE, 5, 8)
    assert again.status_code == 409
    assert again.json["error"]["message_vi"] == "Hồ sơ này đã được đánh giá."
    detailed = rated.call("GET", "/ratings/stats", "admin").json["detailed"]
    assert detailed["count"] == 1
    assert detailed["mean_by_indicator"] == {"1": 2.0, "3": 1.0, "4": 2.0, "7": 0.0}
    assert detailed["percent"] == 62.5


def test_the_kiosk_learns_a_dossier_was_rated_before_asking_the_nine(rated: Api) -> None:
    before = rated.call("GET", f"/dossier-ratings/{CODE}", "kiosk")
    stored = rated.call(
        "POST", "/dossier-ratings", "kiosk", json={"dossier_code": CODE, "scores": {"1": 2}}
    )
    after = rated.call("GET", f"/dossier-ratings/%20{CODE.lower()}%20", "kiosk")

    assert (before.status_code, before.json["error"]["code"]) == (404, "not_rated")
    assert stored.status_code == 201
    assert after.status_code == 200
    assert after.json["rated"] is True and after.json["dossier_code"] == CODE
    assert datetime.fromisoformat(after.json["at"]).utcoffset() == timedelta(0)
    assert after.json["message_vi"] == "Hồ sơ này đã được đánh giá."
    assert after.json["message"] == "This dossier has already been rated."
    assert not {"scores", "total", "comment", "device"} & after.json.keys()
    assert rated.call("GET", "/dossier-ratings/12-AB", "kiosk").status_code == 400
    assert rated.call("GET", f"/dossier-ratings/{CODE}", "rating3").status_code == 200
    for who in ("board", "officer", "technician", None):
        assert rated.call("GET", f"/dossier-ratings/{CODE}", who).status_code in {401, 403}, who


def test_only_kiosks_and_rating_terminals_rate_a_mirrored_dossier_and_are_named(
    rated: Api,
) -> None:
    body = {"dossier_code": CODE, "scores": {"1": 2, "2": 2}}
    for who in ("officer", "technician", "supervisor", "admin", "board", "keypad3"):
        refused = rated.call("POST", "/dossier-ratings", who, json=body)
        assert refused.status_code == 403, who
        assert refused.json["error"]["message_vi"], who
    unknown = {**body, "dossier_code": "000.00.06.H56-231027-9999"}
    absent = rated.call("POST", "/dossier-ratings", "kiosk", json=unknown)
    assert (absent.status_code, absent.json["error"]["code"]) == (404, "dossier_not_found")

    stored = rated.call("POST", "/dossier-ratings", "rating3", json=body)

    assert stored.status_code == 201 and stored.json["total"] == 4
    with rated.runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(
            select(dossier_ratings.c.dossier_code, dossier_ratings.c.device)
        ).all()
    assert [tuple(row) for row in rows] == [(CODE, "device:rating-3")]


@pytest.mark.parametrize(
    "body",
    [
        {"dossier_code": CODE, "scores": {"10": 2}},
        {"dossier_code": CODE, "scores": {"1": 3}},
        {"dossier_code": "not a code", "scores": {"1": 2}},
    ],
)
def test_detailed_rating_refuses_bad_indicators_scores_and_codes(rated: Api, body: Any) -> None:
    answer = rated.call("POST", "/dossier-ratings", "kiosk", json=body)
    assert answer.status_code == 400
    assert answer.json["error"]["message_vi"]


def test_options_list_levels_reasons_and_the_nine_indicators(rated: Api) -> None:
    options = rated.call("GET", "/ratings/options").json
    assert [lv["label_vi"] for lv in options["levels"]][:3] == [
        "Rất hài lòng",
        "Hài lòng",
        "Không hài lòng",
    ]
    assert len(options["indicators"]) == 9
    seventh = options["indicators"][6]
    assert seventh["levels_vi"][0] == "Lịch sự, tận tình, chu đáo"
    assert seventh["levels_en"][0] == "Polite, dedicated and attentive"
    assert all(len(i["levels_en"]) == 3 for i in options["indicators"])
    assert {
        "code": "long_wait",
        "label_vi": "Thời gian chờ đợi lâu",
        "label_en": "Waited too long",
    } in options["reasons"]


def test_an_indicator_number_that_is_no_number_is_refused_not_a_crash(rated: Api) -> None:
    """"²" passes ``str.isdigit`` yet ``int`` refuses it: it once answered 500."""
    for indicator in ("²", "③", "x", "0"):
        refused = rated.call(
            "POST",
            "/dossier-ratings",
            "kiosk",
            json={"dossier_code": CODE, "scores": {indicator: 2}},
        )
        assert refused.status_code == 400, indicator
        assert refused.json["error"]["message_vi"]
    assert rated.call("GET", f"/dossier-ratings/{CODE}", "kiosk").status_code == 404
