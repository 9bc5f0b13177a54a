"""What the counter console reads through the API, on SQLite and PostgreSQL: the waiting
list in calling order, the current ticket's facts (dossier code, priority and what to
check, the wait, the transfers), the officer's full name, who may read it, and that
none of it reaches a public caller."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from server_fixtures import PASSWORD, Api
from sqlalchemy import select

from queue_server.adapters.tables import events
from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.reports.periods import PeriodKind, period_for
from queue_server.reports.queries import ReportFilter, collect_report
from queue_server.services.auth import Role, create_user, issue_token
from queue_server.services.public_views import public_event

RESULT_CODE = "000.00.06.H56-231027-0361"
#: What the console shows of a ticket and a public caller must never see.
PRIVATE = {"dossier_code", "priority", "priority_check_vi", "waited_s", "transfers"}


def sign_in_officer(api: Api, counter: int, who: str = "officer") -> None:
    assert api.desk(counter, "sign-in", who=who).status_code == 200


def waiting_numbers(api: Api, counter: int, who: str = "admin") -> list[str]:
    response = api.call("GET", f"/counters/{api.counters[counter]}/waiting", who)
    assert response.status_code == 200, response.json
    return [ticket["number"] for ticket in response.json["tickets"]]


def call_all(api: Api, counter: int) -> list[str]:
    called = []
    while (response := api.desk(counter, "call-next")).status_code == 200:
        called.append(response.json["number"])
    return called


def test_waiting_list_is_the_order_call_next_takes_under_interleave(api: Api) -> None:
    """Counter 1 serves land, interleaved every 3: the list a visitor sees on the console
    is the very order the calls come in, also after calls moved the interleave count."""
    for _ in range(6):
        api.issue("dat-dai")
        api.runtime.clock.advance(seconds=30)
    for _ in range(3):
        api.issue("dat-dai", "elderly")
        api.runtime.clock.advance(seconds=30)
    before = waiting_numbers(api, 1)
    assert before == ["A001", "A002", "A003", "A007", "A004", "A005", "A006", "A008", "A009"]
    first_two = [api.desk(1, "call-next").json["number"] for _ in range(2)]
    assert first_two == before[:2]
    assert waiting_numbers(api, 1) == before[2:]
    assert call_all(api, 1) == before[2:]
    assert waiting_numbers(api, 1) == []


def test_waiting_list_serves_strict_priority_first_and_shows_at_least_ten(api: Api) -> None:
    normal = [api.issue("ho-tich")["number"] for _ in range(11)]
    disabled = api.issue("ho-tich", "disability")["number"]
    listed = waiting_numbers(api, 3)
    assert listed == [disabled, *normal[:9]]  # ten by default
    everyone = api.call("GET", f"/counters/{api.counters[3]}/waiting?limit=20", "admin")
    assert [t["number"] for t in everyone.json["tickets"]] == [disabled, *normal]
    too_many = api.call("GET", f"/counters/{api.counters[3]}/waiting?limit=500", "admin")
    assert too_many.status_code == 400 and too_many.json["error"]["message_vi"]


def test_each_waiting_ticket_says_what_the_officer_acts_on(api: Api) -> None:
    issued = api.call(
        "POST",
        "/tickets",
        "kiosk",
        json={"service": "tra-ket-qua", "priority": "disability", "dossier_code": RESULT_CODE},
    )
    assert issued.status_code == 201
    api.runtime.clock.advance(minutes=7, seconds=5)
    (ticket,) = api.call("GET", f"/counters/{api.counters[6]}/waiting", "admin").json["tickets"]
    assert ticket["number"] == issued.json["number"]
    assert (ticket["service"], ticket["priority"], ticket["dossier_code"]) == (
        "tra-ket-qua",
        "disability",
        RESULT_CODE,
    )
    assert ticket["waited_s"] == 7 * 60 + 5
    assert ticket["priority_check_vi"].startswith("Kiểm tra giấy tờ chứng minh: người khuyết tật")
    assert ticket["priority_check_en"].startswith("Check the proof")
    assert ticket["transfers"] == [] and ticket["counter"] is None


def test_call_next_and_the_counter_carry_the_same_facts_with_the_transfers(api: Api) -> None:
    """A visitor sent from civil status (counter 3) to social affairs arrives at counter 4
    with the transfer shown, and the wait counted from their ticket's issue."""
    api.issue("ho-tich", "elderly")
    api.runtime.clock.advance(minutes=4)
    api.desk(3, "call-next")
    api.runtime.clock.advance(minutes=2)
    assert api.desk(3, "transfer", json={"service": "ldtbxh"}).status_code == 200
    api.runtime.clock.advance(minutes=1)

    called = api.desk(4, "call-next").json
    state = api.call("GET", f"/counters/{api.counters[4]}", "admin").json["current_ticket"]
    assert called == state
    assert called["service"] == "ldtbxh" and called["waited_s"] == 7 * 60
    assert called["priority_label_vi"] == "Người cao tuổi (từ 60 tuổi)"
    assert called["priority_check_vi"].startswith("Kiểm tra giấy tờ chứng minh: người cao tuổi")
    (transfer,) = called["transfers"]
    assert (transfer["service"], transfer["service_name_vi"], transfer["counter"]) == (
        "ho-tich",
        "Hộ tịch",
        3,
    )
    assert transfer["at"] is not None


def test_only_the_officer_signed_in_there_a_supervisor_or_an_admin_read_the_queue(
    api: Api,
) -> None:
    api.issue("ho-tich")
    path = f"/counters/{api.counters[3]}/waiting"
    assert api.call("GET", path, "officer").status_code == 403  # not signed in here yet
    sign_in_officer(api, 3)
    for who in ("officer", "supervisor", "admin"):
        assert api.call("GET", path, who).status_code == 200, who
    for who in ("officer2", "technician", "keypad3", "board", "kiosk", "rating"):
        refused = api.call("GET", path, who)
        assert refused.status_code == 403, who
        assert refused.json["error"]["code"] == "forbidden"
        assert refused.json["error"]["message_vi"].startswith("Chỉ cán bộ đang đăng nhập")
    assert api.call("GET", path).status_code == 401


def test_the_counter_names_its_officer_by_full_name_to_staff_only(api: Api) -> None:
    with api.runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        user_id = create_user(
            uow, site.id, "huong", Role.OFFICER, PASSWORD, api.runtime.clock(),
            full_name="Nguyễn Thị Hương",
        )
        api.tokens["huong"] = issue_token(
            uow, site_id=site.id, kind="user", name="huong", now=api.runtime.clock(),
            user_id=user_id,
        )
        uow.commit()
    sign_in_officer(api, 5, who="huong")
    path = f"/counters/{api.counters[5]}"
    assert api.call("GET", path, "huong").json["officer_name"] == "Nguyễn Thị Hương"
    assert "officer_name" not in api.call("GET", path, "board").json


def test_public_callers_never_see_the_dossier_code_priority_or_wait(api: Api) -> None:
    api.call(
        "POST",
        "/tickets",
        "kiosk",
        json={"service": "tra-ket-qua", "priority": "elderly", "dossier_code": RESULT_CODE},
    )
    api.desk(6, "call-next")
    staff = api.call("GET", f"/counters/{api.counters[6]}", "admin").json["current_ticket"]
    assert PRIVATE <= staff.keys()
    for who in ("board", "keypad3"):
        public = api.call("GET", f"/counters/{api.counters[6]}", who).json
        assert public["current_ticket"]["number"] == staff["number"], who
        assert not PRIVATE & public["current_ticket"].keys(), who
    with api.runtime.uow(readonly=True) as uow:
        recorded = uow.session.execute(select(events.c.kind, events.c.payload)).all()
    assert any(RESULT_CODE in repr(payload) for _, payload in recorded)  # staff's log has it
    streamed = [public_event(kind, payload) for kind, payload in recorded]
    assert RESULT_CODE not in repr(streamed) and "priority_check" not in repr(streamed)


@pytest.mark.parametrize("choice", ["no-show", "finish"])
def test_a_visitor_who_never_came_is_counted_as_a_no_show_not_served(
    api: Api, choice: str
) -> None:
    """The console's "next" on a called visitor asks no-show or done; each answer is
    counted as what it is."""
    api.issue("ho-tich")
    api.issue("ho-tich")
    api.desk(3, "call-next")
    api.runtime.clock.advance(minutes=2)
    assert api.desk(3, choice).status_code == 200
    api.desk(3, "call-next")
    api.runtime.clock.advance(minutes=3)
    api.desk(3, "finish")
    now = api.runtime.clock()
    day = now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    with api.runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        report = collect_report(
            uow.session,
            ReportFilter((site.id,)),
            period_for(PeriodKind.DAY, day),
            WorkingCalendar(),
            now,
        ).to_dict()
    totals = report["totals"]
    expected = (1, 1) if choice == "no-show" else (2, 0)
    assert (totals["served"], totals["no_show"]) == expected
