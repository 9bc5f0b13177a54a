"""A lock every running server holds on its database, so ``restore`` can tell.

A restore under a live server let the next visitor get a number already handed
out. Each server worker holds the lock shared for as long as it lives; a restore
takes it exclusive, without waiting, and refuses when it cannot. The kernel or
the database drops the lock when its holder dies, so a crashed server never
blocks a restore and no stale pid file needs cleaning.

* SQLite: ``flock`` on ``<database>.server-lock`` beside the database file.
* PostgreSQL: an advisory lock keyed on the database and schema, held on a
  connection of its own (several servers may share one database: shared mode).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from queue_server.adapters.database import Database


class ServerLock:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._file: IO[bytes] | None = None
        self._conn: Connection | None = None

    def hold_shared(self) -> None:
        """What a server does at start: shared, so other servers on the database still run."""
        if not self._acquire(exclusive=False, wait=True):
            raise RuntimeError("the server lock could not be taken")

    def try_exclusive(self) -> bool:
        """What ``restore`` does: True when no server holds the lock (then it is held)."""
        return self._acquire(exclusive=True, wait=False)

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _acquire(self, *, exclusive: bool, wait: bool) -> bool:
        if self.db.is_sqlite:
            return self._flock(exclusive, wait)
        return self._advisory(exclusive, wait)

    def _flock(self, exclusive: bool, wait: bool) -> bool:
        path = self._lock_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("ab")
        os.chmod(path, 0o600)
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle.fileno(), mode)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def _advisory(self, exclusive: bool, wait: bool) -> bool:
        conn = self.db.engine.connect()
        conn.execution_options(isolation_level="AUTOCOMMIT")
        schema = conn.execute(text("SELECT current_database() || '.' || current_schema()"))
        key = int.from_bytes(
            hashlib.sha256(f"motcua-server:{schema.scalar_one()}".encode()).digest()[:8],
            "big",
            signed=True,
        )
        name = ("pg_" if wait else "pg_try_") + "advisory_lock" + ("" if exclusive else "_shared")
        got = conn.execute(text(f"SELECT {name}(:key)"), {"key": key}).scalar()
        if got is False:
            conn.close()
            return False
        self._conn = conn
        return True

    def _lock_path(self) -> Path:
        database = make_url(self.db.url).database or ""
        return Path(database).with_name(Path(database).name + ".server-lock")
