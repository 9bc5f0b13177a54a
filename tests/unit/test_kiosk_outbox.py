"""The kiosk's offline store: a number is spent once, even across threads and restarts."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from kiosk_app.offline import Outbox, OutboxState

DAY = "2026-11-25"
AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SERVICES = [{"code": "ho-tich", "name_vi": "Hộ tịch"}]


def block(block_id: int, first: int, last: int, day: str = DAY) -> dict[str, object]:
    return {
        "id": block_id,
        "service": "ho-tich",
        "prefix": "B",
        "day": day,
        "first": first,
        "last": last,
    }


def test_threads_never_take_the_same_number(tmp_path: Path) -> None:
    taken: list[str] = []
    with Outbox(tmp_path / "k.db") as outbox:
        outbox.add_block(block(1, 1, 40))

        def worker() -> None:
            for _ in range(10):
                ticket = outbox.take("ho-tich", DAY, AT)
                assert ticket is not None
                taken.append(ticket.number)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outbox.take("ho-tich", DAY, AT) is None
        assert outbox.count(OutboxState.PRINTING) == 40  # none marked printed yet
    assert sorted(taken) == [f"B{n:03d}" for n in range(1, 41)]


def test_numbers_continue_after_a_restart_and_earlier_days_are_dropped(tmp_path: Path) -> None:
    with Outbox(tmp_path / "k.db") as outbox:
        outbox.add_block(block(1, 4, 6))
        outbox.add_block(block(2, 1, 9, day="2026-11-24"))
        assert outbox.take("ho-tich", DAY, AT).number == "B004"  # type: ignore[union-attr]
    with Outbox(tmp_path / "k.db") as outbox:
        outbox.forget_days_before(DAY)
        outbox.add_block(block(1, 4, 6))  # the same lease seen again changes nothing
        taken = [outbox.take("ho-tich", DAY, AT) for _ in range(2)]
        assert [t.number for t in taken if t] == ["B005", "B006"]
        assert outbox.remaining("ho-tich", DAY) == 0 and outbox.remaining_total(DAY) == 0
        # B004 was printing when the kiosk stopped: it may be in a visitor's hand, so
        # it is handed over; B005 and B006 wait until they printed.
        assert [t.number for t in outbox.pending()] == ["B004"]
        for ticket in taken:
            outbox.mark(ticket, OutboxState.PENDING)  # type: ignore[arg-type]
        pending = outbox.pending()
        assert [t.number for t in pending] == ["B004", "B005", "B006"]
        outbox.mark(pending[0], OutboxState.SYNCED, 17)
        assert [t.number for t in outbox.pending()] == ["B005", "B006"]


def test_a_ticket_is_handed_over_only_once_printed_and_voided_only_while_printing(
    tmp_path: Path,
) -> None:
    """The heartbeat (another thread) and the print race: a ticket still printing is
    not handed over, and a print failing after a hand-over cannot void a queued one."""
    with Outbox(tmp_path / "k.db") as outbox:
        outbox.add_block(block(1, 1, 2))
        printing, printed = outbox.take("ho-tich", DAY, AT), outbox.take("ho-tich", DAY, AT)
        assert printing is not None and printed is not None
        outbox.mark(printing, OutboxState.SYNCED, 5)  # not yet printed: not handed over
        outbox.mark(printed, OutboxState.PENDING)
        assert [t.number for t in outbox.pending()] == ["B002"]
        outbox.mark(printed, OutboxState.SYNCED, 6)
        outbox.mark(printed, OutboxState.VOID)  # too late: it is queued
        outbox.mark(printing, OutboxState.VOID)
        assert outbox.count(OutboxState.SYNCED) == 1 and outbox.count(OutboxState.VOID) == 1


def test_closing_while_the_heartbeat_writes_waits_for_its_write(tmp_path: Path) -> None:
    """The app closes the store when it stops, maybe while its heartbeat thread writes
    the catalogue cache. Closed under that write, CPython's sqlite3 crashed the kiosk
    (SIGSEGV, issue 13; here in the first round without the fix): close waits for the
    write under way, and the heartbeat's next write fails in Python."""
    for _ in range(50):
        outbox = Outbox(tmp_path / "k.db").open()
        wrote, refused = threading.Event(), list[Exception]()
        thread = threading.Thread(target=_write_until_refused, args=(outbox, wrote, refused))
        thread.start()
        assert wrote.wait(30)
        outbox.close()
        thread.join(30)
        assert not thread.is_alive() and "not open" in str(refused[0])
    with Outbox(tmp_path / "k.db") as reopened:
        assert reopened.cache_get("services") == SERVICES


def _write_until_refused(outbox: Outbox, wrote: threading.Event, refused: list[Exception]) -> None:
    """The heartbeat's catalogue write, again and again until the store refuses it."""
    try:
        while True:
            outbox.cache_put("services", SERVICES)
            wrote.set()
    except RuntimeError as error:
        refused.append(error)


def test_an_outbox_kept_from_before_the_replaces_column_opens_and_keeps_its_tickets(
    tmp_path: Path,
) -> None:
    """A kiosk updated while offline tickets wait: its store gains the column on
    opening, and the waiting tickets are still handed over."""
    path = tmp_path / "k.db"
    with sqlite3.connect(path) as old:
        old.executescript(
            "CREATE TABLE blocks (id INTEGER PRIMARY KEY, service TEXT NOT NULL,"
            " prefix TEXT NOT NULL, day TEXT NOT NULL, first_seq INTEGER NOT NULL,"
            " last_seq INTEGER NOT NULL, next_seq INTEGER NOT NULL);"
            "CREATE TABLE outbox (block_id INTEGER NOT NULL REFERENCES blocks(id),"
            " seq INTEGER NOT NULL, number TEXT NOT NULL, service TEXT NOT NULL,"
            " priority TEXT, dossier_code TEXT, issued_at TEXT NOT NULL, state TEXT NOT NULL,"
            " ticket_id INTEGER, PRIMARY KEY (block_id, seq));"
            "INSERT INTO blocks VALUES (1, 'ho-tich', 'B', '2026-11-25', 900, 902, 901);"
            f"INSERT INTO outbox VALUES (1, 900, 'B900', 'ho-tich', NULL, NULL,"
            f" '{AT.isoformat()}', 'pending', NULL);"
        )
    old.close()
    with Outbox(path) as outbox:
        (kept,) = outbox.pending()
        assert (kept.number, kept.replaces) == ("B900", None)
        taken = outbox.take("ho-tich", DAY, AT, replaces="k" * 22)
        assert taken is not None
        outbox.mark(taken, OutboxState.PENDING)
        assert [(t.number, t.replaces) for t in outbox.pending()] == [
            ("B900", None),
            ("B901", "k" * 22),
        ]
