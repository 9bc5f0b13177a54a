"""Backups a technician can trust: taken while the centre runs, checked, restored.

SQLite is copied with its online backup API in a single step, which reads one
consistent snapshot while kiosks keep issuing tickets (WAL readers never block
writers). PostgreSQL is dumped with ``pg_dump`` in custom format, itself one
snapshot transaction. Each backup gets a ``.sha256`` sidecar so a file damaged
later on a USB stick is caught by ``verify`` (:mod:`queue_server.backup_check`) even
where the format would not notice.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import make_url

from queue_server.adapters.database import Database
from queue_server.backup_check import (
    SQLITE_MAGIC,
    BadBackup,
    checksum_path,
    file_magic,
    sha256,
    verify,
)
from queue_server.queueing.errors import QueueError

#: ``motcua-20261129T190000Z.sqlite`` / ``.dump``: sortable by name = by time.
NAME_PATTERN = re.compile(r"^motcua-\d{8}T\d{6}Z\.(sqlite|dump)$")


class BackupError(QueueError):
    code = "backup_failed"
    status = 500


def backup_name(db: Database, now: datetime) -> str:
    suffix = "sqlite" if db.is_sqlite else "dump"
    return f"motcua-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.{suffix}"


def backup(db: Database, out: Path) -> Path:
    """Write a consistent copy of the database to ``out`` (atomically) plus its checksum."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    if db.is_sqlite:
        _sqlite_copy(_sqlite_path(db), partial)
    else:
        _pg_dump(db, partial)
    partial.chmod(0o600)  # a full copy of personal data: owner only, whatever the umask
    partial.replace(out)
    checksum_path(out).write_text(f"{sha256(out)}  {out.name}\n")
    return out


def restore(db: Database, source: Path) -> None:
    """Replace the database's content with a backup that passes :func:`verify`, and
    with nothing else (stop the server first)."""
    try:
        verify(source)
    except BadBackup as bad:
        raise BackupError(
            f"Not restoring {source}: {bad.message}",
            f"Không khôi phục từ {source}: {bad.message_vi}.",
        ) from None
    if file_magic(source) == SQLITE_MAGIC:
        if not db.is_sqlite:
            raise BackupError(
                "A SQLite backup cannot be restored into PostgreSQL.",
                "Không thể khôi phục bản sao lưu SQLite vào PostgreSQL.",
            )
        db.dispose()
        _sqlite_copy(source, _sqlite_path(db))
        return
    if db.is_sqlite:
        raise BackupError(
            "A PostgreSQL dump cannot be restored into SQLite.",
            "Không thể khôi phục bản sao lưu PostgreSQL vào SQLite.",
        )
    _run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", f"--dbname={make_url(db.url).database}", str(source)],
        _libpq_env(db),
    )


def next_backup_time(now: datetime, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    """The next weekly slot (``weekday`` 0 = Monday, ``at`` local time) strictly after ``now``."""
    local = now.astimezone(tz)
    days_ahead = (weekday - local.weekday()) % 7
    slot = datetime.combine(local.date() + timedelta(days=days_ahead), at, tzinfo=tz)
    if slot <= local:
        slot = datetime.combine(slot.date() + timedelta(days=7), at, tzinfo=tz)
    return slot.astimezone(UTC)


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (and their checksums); return the deleted."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    found = sorted(p for p in directory.iterdir() if NAME_PATTERN.match(p.name))
    doomed = found[:-keep]
    for path in doomed:
        path.unlink()
        checksum_path(path).unlink(missing_ok=True)
    return doomed


def _sqlite_path(db: Database) -> Path:
    database = make_url(db.url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory database has no file to back up.", "CSDL trong bộ nhớ.")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    # pages=-1: the whole database in one step, so one read snapshot, never a mix.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


def _pg_dump(db: Database, out: Path) -> None:
    with db.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    only = [] if schema == "public" else [f"--schema={schema}"]
    _run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={out}", *only,
         make_url(db.url).database or ""],
        _libpq_env(db),
    )


def _libpq_env(db: Database) -> dict[str, str]:
    """Connection details as libpq variables: the password never shows in ``ps``."""
    url = make_url(db.url)
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGOPTIONS", url.query.get("options")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            f"{command[0]} failed: {result.stderr.strip()}",
            f"{command[0]} thất bại: {result.stderr.strip()}",
        )


def take_backup(
    db: Database, data_dir: Path, out: Path | None, keep: int | None, now: datetime
) -> Path:
    """What ``motcua-server backup`` does: back up, then apply the retention."""
    target = out or data_dir / "backups" / backup_name(db, now)
    backup(db, target)
    if keep:
        prune(target.parent, keep)
    return target
