"""The kiosk's own store: leased number blocks, the offline outbox, and a catalogue cache.

One SQLite file on the kiosk. Taking a number from a block and writing it to
the outbox is one transaction, committed before the ticket is printed, so a
number is never handed out twice, even if the kiosk loses power mid-print.
Tickets stay in the outbox until the server has confirmed them.
"""

from __future__ import annotations

import enum
import functools
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
    id INTEGER PRIMARY KEY,          -- the server's block id
    service TEXT NOT NULL,
    prefix TEXT NOT NULL,
    day TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    next_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    block_id INTEGER NOT NULL REFERENCES blocks(id),
    seq INTEGER NOT NULL,
    number TEXT NOT NULL,
    service TEXT NOT NULL,
    priority TEXT,
    dossier_code TEXT,
    issued_at TEXT NOT NULL,
    state TEXT NOT NULL,
    ticket_id INTEGER,
    replaces TEXT,                   -- the key of the online request given up for it
    PRIMARY KEY (block_id, seq)
);
CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class OutboxState(enum.StrEnum):
    PRINTING = "printing"  # its number is spent, its ticket on the way to the paper
    PENDING = "pending"  # printed, not yet confirmed by the server
    SYNCED = "synced"  # the server queued it
    VOID = "void"  # the print failed: the number is spent, the ticket never existed
    REFUSED = "refused"  # the server refused it for good (e.g. a block of an earlier day)


#: The state a ticket must be in to move to each state.
STEP_FROM = {
    OutboxState.PENDING: OutboxState.PRINTING,
    OutboxState.VOID: OutboxState.PRINTING,
    OutboxState.SYNCED: OutboxState.PENDING,
    OutboxState.REFUSED: OutboxState.PENDING,
}


@dataclass(frozen=True, slots=True)
class OfflineTicket:
    block_id: int
    seq: int
    number: str
    service: str
    priority: str | None
    dossier_code: str | None
    issued_at: datetime
    #: The key of the online request the kiosk gave up on before taking this number:
    #: the server cancels that request's ticket, if it issued one (nobody holds it).
    replaces: str | None = None


def _serialised(method: Callable[..., T]) -> Callable[..., T]:
    """One caller at a time: the UI thread, the ticket worker and the heartbeat share it."""

    @functools.wraps(method)
    def wrapper(self: Outbox, *args: Any, **kwargs: Any) -> T:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class Outbox:
    """Open with :meth:`open` (or ``with``); every method is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    def open(self) -> Outbox:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
        if "replaces" not in columns:  # an outbox kept from before the column
            self._db.execute("ALTER TABLE outbox ADD COLUMN replaces TEXT")
        # A ticket still printing when the power went may be in a visitor's hand: it
        # is handed over (an unprinted one is a no-show) rather than dropped.
        self._db.execute(
            "UPDATE outbox SET state = ? WHERE state = ?",
            (OutboxState.PENDING.value, OutboxState.PRINTING.value),
        )
        return self

    @_serialised
    def close(self) -> None:
        """Waits for the call in progress on another thread (the heartbeat's): CPython's
        sqlite3 closed under a statement still stepping crashes the process (SIGSEGV).
        Calls after it fail with a Python error instead."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Outbox:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the outbox is not open")
        return self._db

    # blocks ------------------------------------------------------------------------
    @_serialised
    def add_block(self, block: dict[str, Any]) -> None:
        """Keep a block the server leased (``POST /number-blocks`` answer)."""
        self.db.execute(
            "INSERT OR IGNORE INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                block["id"],
                block["service"],
                block["prefix"],
                block["day"],
                block["first"],
                block["last"],
                block["first"],
            ),
        )

    @_serialised
    def remaining(self, service: str, day: str) -> int:
        row = self.db.execute(
            "SELECT COALESCE(SUM(last_seq - next_seq + 1), 0) FROM blocks"
            " WHERE service = ? AND day = ? AND next_seq <= last_seq",
            (service, day),
        ).fetchone()
        return int(row[0])

    @_serialised
    def remaining_total(self, day: str) -> int:
        row = self.db.execute(
            "SELECT COALESCE(SUM(last_seq - next_seq + 1), 0) FROM blocks"
            " WHERE day = ? AND next_seq <= last_seq",
            (day,),
        ).fetchone()
        return int(row[0])

    @_serialised
    def take(
        self,
        service: str,
        day: str,
        issued_at: datetime,
        priority: str | None = None,
        dossier_code: str | None = None,
        replaces: str | None = None,
    ) -> OfflineTicket | None:
        """Spend the next number of today's blocks for ``service``; None when none is left."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(
                "SELECT id, prefix, next_seq FROM blocks"
                " WHERE service = ? AND day = ? AND next_seq <= last_seq"
                " ORDER BY first_seq LIMIT 1",
                (service, day),
            ).fetchone()
            if row is None:
                db.execute("ROLLBACK")
                return None
            block_id, prefix, seq = row
            ticket = OfflineTicket(
                block_id,
                seq,
                f"{prefix}{seq:03d}",
                service,
                priority,
                dossier_code,
                issued_at,
                replaces,
            )
            db.execute("UPDATE blocks SET next_seq = next_seq + 1 WHERE id = ?", (block_id,))
            db.execute(
                "INSERT INTO outbox (block_id, seq, number, service, priority, dossier_code,"
                " issued_at, state, replaces) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    block_id,
                    seq,
                    ticket.number,
                    service,
                    priority,
                    dossier_code,
                    issued_at.isoformat(),
                    OutboxState.PRINTING.value,
                    replaces,
                ),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return ticket

    # outbox ------------------------------------------------------------------------
    @_serialised
    def pending(self) -> list[OfflineTicket]:
        """Tickets to hand over, oldest first."""
        rows = self.db.execute(
            "SELECT block_id, seq, number, service, priority, dossier_code, issued_at,"
            " replaces FROM outbox WHERE state = ? ORDER BY issued_at, block_id, seq",
            (OutboxState.PENDING.value,),
        ).fetchall()
        return [
            OfflineTicket(b, s, n, svc, p, d, datetime.fromisoformat(at), r)
            for b, s, n, svc, p, d, at, r in rows
        ]

    @_serialised
    def count(self, state: OutboxState) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM outbox WHERE state = ?", (state.value,))
        return int(row.fetchone()[0])

    @_serialised
    def issued_since(self, service: str, since: datetime, *, priority_only: bool = False) -> int:
        """Tickets of ``service`` this kiosk issued offline that a queue count taken at
        ``since`` left out: those still to hand over, and those issued after it."""
        rows = self.db.execute(
            "SELECT issued_at, priority, state FROM outbox"
            " WHERE service = ? AND state IN (?, ?, ?)",
            (service, OutboxState.PRINTING, OutboxState.PENDING, OutboxState.SYNCED),
        ).fetchall()
        return sum(
            1
            for at, priority, state in rows
            if (state != OutboxState.SYNCED.value or datetime.fromisoformat(at) > since)
            and (priority or not priority_only)
        )

    @_serialised
    def mark(self, ticket: OfflineTicket, state: OutboxState, ticket_id: int | None = None) -> None:
        """``ticket`` moves on to ``state`` from the one state that leads there
        (:data:`STEP_FROM`); from any other, nothing changes: a heartbeat can never
        hand over a ticket still printing, nor a failed print void one handed over."""
        self.db.execute(
            "UPDATE outbox SET state = ?, ticket_id = ?"
            " WHERE block_id = ? AND seq = ? AND state = ?",
            (state.value, ticket_id, ticket.block_id, ticket.seq, STEP_FROM[state].value),
        )

    @_serialised
    def forget_days_before(self, day: str) -> None:
        """Drop blocks of earlier days; their unused numbers can no longer be issued."""
        self.db.execute("UPDATE blocks SET next_seq = last_seq + 1 WHERE day < ?", (day,))

    # catalogue cache ---------------------------------------------------------------
    @_serialised
    def cache_put(self, key: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False)
        self.db.execute("INSERT OR REPLACE INTO cache VALUES (?, ?)", (key, text))

    @_serialised
    def cache_get(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM cache WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None
