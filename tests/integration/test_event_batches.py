"""A commit's events keep the order they were recorded in, and its row changes land
with them: one statement for a few events with the changes riding along (PostgreSQL),
one statement per event (SQLite), a batch for many (a day's end)."""

from __future__ import annotations

import pytest
from server_fixtures import Api
from sqlalchemy import event, select

from device_kit.contract.events import EventKind
from queue_server.adapters.tables import counters, events, tickets
from queue_server.queueing.model import TicketState


@pytest.mark.parametrize("count", [1, 2, 4, 5, 12])
def test_a_commits_events_get_ids_in_the_order_recorded(api: Api, count: int) -> None:
    issued = api.issue()
    runtime = api.runtime
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None
        ticket = uow.repo.ticket(site.id or 0, issued["id"])
        ticket.recall_count = 3  # a plain row change, to ride with the events
        for n in range(count):
            uow.record(
                site_id=site.id,
                kind=EventKind.TICKET_RECALLED,
                actor="test",
                at=runtime.clock(),
                ticket_id=ticket.id,
                payload={"n": n, "chữ": "Gọi lại"},
            )
        uow.commit()
    with runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(
            select(events.c.id, events.c.payload)
            .where(events.c.kind == EventKind.TICKET_RECALLED.value)
            .order_by(events.c.id)
        ).all()
        recalls = uow.session.scalar(
            select(tickets.c.recall_count).where(tickets.c.id == issued["id"])
        )
        state = uow.session.scalar(select(tickets.c.state).where(tickets.c.id == issued["id"]))
    assert [payload["n"] for _, payload in rows] == list(range(count))
    assert rows[0][1]["chữ"] == "Gọi lại"
    assert recalls == 3
    assert state == TicketState.WAITING


def test_changed_rows_leave_the_flush_nothing_and_every_change_lands(api: Api) -> None:
    """``changed_rows`` hands the changes over and marks the objects clean, as a flush
    would: the session's own flush then sends nothing (no UPDATE twice, no change
    lost), and what ``write`` sent is what is stored."""
    issued = api.issue()
    runtime = api.runtime
    sent: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None
        ticket = uow.repo.ticket(site.id or 0, issued["id"])
        counter = uow.repo.counters(site.id or 0)[0]
        ticket.recall_count = 2
        ticket.priority = "elderly"
        counter.normal_streak = 7
        changes = uow.repo.changed_rows()
        assert {(c.table.name, frozenset(c.values)) for c in changes} == {
            ("tickets", frozenset({"recall_count", "priority"})),
            ("counters", frozenset({"normal_streak"})),
        }
        assert not uow.session.dirty
        event.listen(runtime.db.engine, "before_cursor_execute", remember)
        try:
            uow.session.flush()
        finally:
            event.remove(runtime.db.engine, "before_cursor_execute", remember)
        assert sent == []
        uow.repo.write(changes)
        uow.commit()
    with runtime.uow(readonly=True) as uow:
        stored = uow.session.execute(
            select(tickets.c.recall_count, tickets.c.priority).where(tickets.c.id == issued["id"])
        ).one()
        streak = uow.session.scalar(
            select(counters.c.normal_streak).where(counters.c.id == counter.id)
        )
    assert tuple(stored) == (2, "elderly")
    assert streak == 7
