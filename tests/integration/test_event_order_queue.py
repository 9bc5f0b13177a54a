"""PostgreSQL: a process's transactions queue in the process for a site's event order
before they wait on its row (``UnitOfWork.hold_event_order``). The place in that
queue is given up however the transaction ends, and a place never given up delays
the others by a bounded wait, never for good."""

from __future__ import annotations

import pytest
from dossier_fixtures import site_id
from server_fixtures import Api
from sqlalchemy import select

from device_kit.contract.events import EventKind
from queue_server.adapters import unit_of_work
from queue_server.adapters.tables import events

pytestmark = [
    pytest.mark.postgres,
    # SQLite serialises its writers whole (the write lock): it has no such queue.
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


def kinds(api: Api) -> list[str]:
    with api.runtime.uow(readonly=True) as uow:
        return list(uow.session.scalars(select(events.c.kind).order_by(events.c.id)))


def test_a_transaction_gives_up_its_place_at_commit_and_when_it_fails(api: Api) -> None:
    runtime, site = api.runtime, site_id(api.runtime)
    queue = runtime.db.order_queue(site)
    with runtime.uow() as uow:
        uow.hold_event_order(site)
        assert queue.locked()  # held as long as the row is
        uow.record(
            site_id=site, kind=EventKind.TICKET_RECALLED, actor="test", at=runtime.clock(),
            payload={},
        )
        uow.commit()
        assert not queue.locked()
    with pytest.raises(RuntimeError), runtime.uow() as uow:
        uow.hold_event_order(site)
        raise RuntimeError("a use case refused half way")
    assert not queue.locked()
    # The desk's own path: an issue orders its event at commit, a call-next before its reads.
    api.desk(3, "sign-in")
    number = api.issue()["number"]
    assert api.desk(3, "call-next").json["number"] == number
    assert not queue.locked()
    assert kinds(api)[-2:] == ["ticket.issued", "ticket.called"]


@pytest.mark.timeout(60)
def test_a_place_never_given_up_delays_the_desk_by_the_bounded_wait_only(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unit_of_work, "ORDER_QUEUE_WAIT_S", 0.2)
    queue = api.runtime.db.order_queue(site_id(api.runtime))
    assert queue.acquire(timeout=5)  # a transaction of this process that never leaves
    try:
        number = api.issue()["number"]
        called = api.desk(3, "call-next")
    finally:
        queue.release()
    assert called.status_code == 200 and called.json["number"] == number
    assert kinds(api)[-2:] == ["ticket.issued", "ticket.called"]
