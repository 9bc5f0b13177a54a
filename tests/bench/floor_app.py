"""The floor for ticket issue: the least a server on motcua's stack can do per ticket.

One WSGI handler on the same server (gunicorn, one gevent worker), the same SQLite
settings as motcua (WAL, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE``), and one
committed insert that numbers a ticket per service and day. No auth, no validation
beyond reading the JSON body, no events, no estimate: ``bench_issue.py`` reports
motcua's throughput as a fraction of this one, measured in the same run.

Served by ``bench_issue.py`` as
``gunicorn -k gevent -w 1 floor_app:app`` with ``FLOOR_DB`` naming the database file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    seq INTEGER NOT NULL,
    UNIQUE (service, day, seq)
)
"""
#: Numbering and storing in one statement, as atomic as motcua's upsert + insert.
_ISSUE = """
INSERT INTO tickets (service, day, seq)
SELECT ?, ?, coalesce(max(seq), 0) + 1 FROM tickets WHERE service = ? AND day = ?
RETURNING id, seq
"""

_local = threading.local()


def _connection() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["FLOOR_DB"], isolation_level=None, timeout=5)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(_SCHEMA)
        _local.conn = conn
    return conn


def app(
    environ: dict[str, object], start_response: Callable[[str, list[tuple[str, str]]], object]
) -> Iterable[bytes]:
    """``POST /tickets {"service": ...}`` numbers a ticket and answers it as JSON."""
    stream = environ["wsgi.input"]
    length = int(str(environ.get("CONTENT_LENGTH") or 0))
    body = json.loads(stream.read(length) or b"{}")  # type: ignore[attr-defined]
    conn = _connection()
    conn.execute("BEGIN IMMEDIATE")
    try:
        ticket_id, seq = conn.execute(
            _ISSUE, (body["service"], "today", body["service"], "today")
        ).fetchone()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    answer = json.dumps({"id": ticket_id, "number": f"A{seq:03d}"}).encode()
    start_response(
        "201 Created",
        [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))],
    )
    return [answer]
