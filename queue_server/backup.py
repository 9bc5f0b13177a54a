"""Backups a technician can trust: taken while the centre runs, checked, restored.

SQLite is copied with its online backup API in a single step, which reads one
consistent snapshot while kiosks keep issuing tickets (WAL readers never block
writers). PostgreSQL is dumped with ``pg_dump`` in custom format, itself one
snapshot transaction. Each backup gets a ``.sha256`` sidecar so a file damaged
later on a USB stick is caught by ``verify`` even where the format would not notice.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from queue_server.adapters.database import MIGRATIONS, Database
from queue_server.queueing.errors import QueueError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
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
    _checksum_path(out).write_text(f"{_sha256(out)}  {out.name}\n")
    return out


def restore(db: Database, source: Path) -> None:
    """Replace the database's content with a verified backup (stop the server first)."""
    problem = verify(source)
    if problem:
        raise BackupError(
            f"Not restoring {source}: {problem}",
            f"Không khôi phục từ {source}: tệp sao lưu bị hỏng ({problem}).",
        )
    if _magic(source) == SQLITE_MAGIC:
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


def verify(path: Path) -> str | None:
    """None when ``path`` is a complete, readable backup; otherwise what is wrong."""
    if not path.is_file():
        return "no such file"
    sidecar = _checksum_path(path)
    if sidecar.exists() and sidecar.read_text().split()[:1] != [_sha256(path)]:
        return "checksum does not match the .sha256 file"
    magic = _magic(path)
    if magic == SQLITE_MAGIC:
        return _verify_sqlite(path)
    if magic.startswith(PGDUMP_MAGIC):
        return _verify_pg_dump(path)
    return "not a SQLite database nor a pg_dump custom archive"


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
        _checksum_path(path).unlink(missing_ok=True)
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


def _verify_sqlite(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            page_size, page_count = (
                conn.execute("PRAGMA page_size").fetchone()[0],
                conn.execute("PRAGMA page_count").fetchone()[0],
            )
            if path.stat().st_size < page_size * page_count:
                return "truncated: shorter than its page count"
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                return "integrity check failed: " + "; ".join(result[:3])
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"unreadable: {exc}"
    return _check_revision(version[0] if version else None)


def _verify_pg_dump(path: Path) -> str | None:
    listing = subprocess.run(
        ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        return f"pg_restore cannot read the table of contents: {listing.stderr.strip()}"
    if "TABLE DATA" not in listing.stdout or "alembic_version" not in listing.stdout:
        return "the dump holds no motcua tables"
    # --list reads only the table of contents; replaying to /dev/null reads every block.
    replay = subprocess.run(
        ["pg_restore", "--file=/dev/null", str(path)], capture_output=True, text=True, check=False
    )
    if replay.returncode != 0:
        return f"the data cannot be read: {replay.stderr.strip()}"
    return None


def _check_revision(revision: str | None) -> str | None:
    """A backup from a release this code knows how to migrate from."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if revision not in known:
        return f"unknown schema revision {revision!r}"
    return None


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


def _magic(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_MAGIC))


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def take_backup(
    db: Database, data_dir: Path, out: Path | None, keep: int | None, now: datetime
) -> Path:
    """What ``motcua-server backup`` does: back up, then apply the retention."""
    target = out or data_dir / "backups" / backup_name(db, now)
    backup(db, target)
    if keep:
        prune(target.parent, keep)
    return target
