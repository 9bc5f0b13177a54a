"""The count of tickets ahead stays true through every move a ticket makes, on SQLite
and PostgreSQL. SQLite reads it from the class lengths its triggers keep
(``waiting_counts``, migration 0018): one move the triggers missed would put a wrong
"people ahead of you" on every ticket after it."""

from __future__ import annotations

from alembic import command
from server_fixtures import Api
from sqlalchemy import select

from queue_server.adapters.database import alembic_config
from queue_server.adapters.tables import tickets, waiting_counts
from queue_server.queueing.model import PriorityPolicy, TicketState


def expected_ahead(api: Api) -> dict[int, int]:
    """Every waiting ticket's place, worked out here from the rows themselves: the
    earlier tickets of its service and class, and under the strict policy every
    waiting priority ticket before a normal one."""
    with api.runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(
            select(tickets.c.id, tickets.c.service_id, tickets.c.priority, tickets.c.queued_at)
            .where(tickets.c.state == TicketState.WAITING)
        ).all()
        strict = {
            r.service_id: uow.repo.service_by_id(r.service_id).priority_policy
            is PriorityPolicy.STRICT
            for r in rows
        }
    places = {}
    for row in rows:
        mine = row.priority is not None
        places[row.id] = sum(
            other.service_id == row.service_id
            and (
                ((other.priority is not None) == mine
                 and (other.queued_at, other.id) < (row.queued_at, row.id))
                or (strict[row.service_id] and not mine and other.priority is not None)
            )
            for other in rows
        )
    return places


def assert_places_true(api: Api) -> None:
    """What the server tells each waiting visitor equals the true place, counted from
    either side of the ticket; on SQLite the kept lengths equal the waiting rows."""
    expected = expected_ahead(api)
    with api.runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        told, told_from_tail = {}, {}
        for ticket_id in expected:
            ticket = uow.repo.ticket(site.id, ticket_id)
            strict = uow.repo.service_by_id(ticket.service_id).priority_policy is (
                PriorityPolicy.STRICT
            )
            told[ticket_id] = uow.repo.ahead_of(ticket, strict)
            told_from_tail[ticket_id] = uow.repo.ahead_of(ticket, strict, just_queued=True)
        kept = {
            (r.service_id, bool(r.priority)): r.waiting
            for r in uow.session.execute(select(waiting_counts)).all()
            if r.waiting
        }
        counted = {
            (service_id, group == "priority"): waiting
            for service_id, groups in uow.repo.waiting_counts(site.id).items()
            for group, waiting in groups.items()
            if waiting
        }
        postgres = uow.repo.row_locks
    assert told == told_from_tail == expected
    if not postgres:
        assert kept == counted


def test_every_move_keeps_each_visitor_told_their_true_place(api: Api) -> None:
    issued = [
        api.issue(service, priority)
        for service, priority in [
            ("ho-tich", None), ("ho-tich", "elderly"), ("ho-tich", None),
            ("dat-dai", None), ("ho-tich", "disability"), ("dat-dai", "elderly"),
            ("ho-tich", None), ("ldtbxh", None), ("dat-dai", None), ("ho-tich", None),
        ]
    ]
    # Strict policy: the elderly visitor goes before the normal ones already waiting.
    assert [t["ahead"] for t in issued[:3]] == [0, 0, 2]
    assert_places_true(api)

    steps: list[tuple[int, str, dict[str, str] | None]] = [
        (3, "call-next", None),  # the elderly visitor leaves the priority class
        (3, "call", {"number": issued[6]["number"]}),  # one from the middle
        (3, "no-show", None),
        (3, "call", {"number": issued[6]["number"]}),  # back from no-show
        (3, "transfer", {"service": "ldtbxh"}),  # joins another queue in place
        (4, "call-next", None),
        (4, "park", {"reason": "photocopy"}),
        (1, "call-next", None),
        (1, "recall", None), (1, "recall", None), (1, "recall", None), (1, "recall", None),
        (2, "call-next", None),
        (2, "start", None),
        (2, "finish", None),
    ]
    for counter, action, body in steps:
        response = api.desk(counter, action, json=body)
        assert response.status_code == 200, (action, response.json)
        assert_places_true(api)

    parked = api.call("GET", f"/counters/{api.counters[4]}/parked", "admin").json["tickets"]
    resumed = api.desk(4, "resume-parked", json={"ticket_id": parked[0]["id"]})
    assert resumed.status_code == 200, resumed.json
    assert_places_true(api)

    late = api.issue("ho-tich")
    told = api.call("GET", f"/track/{late['track_token']}").json["ahead"]
    assert late["ahead"] == told == expected_ahead(api)[late["id"]] > 0


def test_a_hand_correction_in_the_database_keeps_the_places_true(api: Api) -> None:
    """No use case moves a ticket back into the queue or into another class, but a
    technician's correction in the database (or a restore) may: the lengths follow it."""
    first, second, third = (api.issue("ho-tich") for _ in range(3))
    assert api.desk(3, "call-next").json["number"] == first["number"]
    with api.runtime.uow() as uow:
        t = tickets.c
        uow.session.execute(
            tickets.update().where(t.id == first["id"]).values(state=TicketState.WAITING)
        )
        uow.session.execute(tickets.update().where(t.id == third["id"]).values(priority="elderly"))
        uow.session.execute(tickets.delete().where(t.id == second["id"]))
        uow.commit()
    assert_places_true(api)
    assert expected_ahead(api) == {first["id"]: 1, third["id"]: 0}


def test_the_migration_counts_the_queue_already_waiting(api: Api) -> None:
    """A centre upgrading mid-morning: its waiting visitors are counted at once."""
    for service, priority in [("ho-tich", None), ("ho-tich", "elderly"), ("dat-dai", None)]:
        api.issue(service, priority)
    api.desk(3, "call-next")
    config = alembic_config(api.runtime.db)
    command.downgrade(config, "0017")
    command.upgrade(config, "head")
    assert_places_true(api)
    assert sorted(api.issue("ho-tich")["ahead"] for _ in range(2)) == [1, 2]
