"""What ``motcua-server verify`` checks before a backup may be restored.

A backup passes when it is whole (its ``.sha256`` sidecar matches when there is
one; SQLite's integrity check and page count, or every block of a PostgreSQL dump
read back), carries a schema revision this release can migrate from, and holds
exactly the tables and columns motcua has at that revision: no missing table or
column, none extra. A foreign SQLite file holding only ``alembic_version``, or a
dump of another application, is refused for what it is, not restored over the
centre's data. Without a sidecar no checksum is checked, and the result says so.

The expected tables at the newest revision are the current ones
(:mod:`queue_server.adapters.tables`, which the migrations are tested to build);
at an older revision, those the migrations build up to it in a scratch SQLite file.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from queue_server.adapters.database import MIGRATIONS, alembic_config, connect
from queue_server.adapters.tables import metadata
from queue_server.queueing.errors import QueueError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
VERSION_TABLE = "alembic_version"
#: Names listed in one message, so a foreign file with hundreds of tables stays readable.
LISTED = 8

#: Table name -> its column names.
Schema = dict[str, frozenset[str]]


class BadBackup(QueueError):
    """The file is not a backup to restore; the message says why, in both languages."""

    code = "bad_backup"
    status = 422


@dataclass(frozen=True)
class Checked:
    """A backup that passed: what it is, and whether a checksum was compared."""

    engine: str
    revision: str
    tables: int
    checksum_checked: bool


def verify(path: Path) -> Checked:
    """Check ``path`` as described above; raise :class:`BadBackup` when it fails."""
    if not path.is_file():
        raise BadBackup("no such file", "không có tệp này")
    sidecar = checksum_path(path)
    if sidecar.exists() and sidecar.read_text().split()[:1] != [sha256(path)]:
        raise BadBackup(
            "checksum does not match the .sha256 file: the backup was damaged or changed",
            "mã kiểm tra (checksum) không khớp tệp .sha256: bản sao lưu đã hỏng hoặc bị sửa",
        )
    magic = file_magic(path)
    if magic == SQLITE_MAGIC:
        engine = "SQLite"
        found, revision = _read_sqlite(path)
    elif magic.startswith(PGDUMP_MAGIC):
        engine = "PostgreSQL"
        found, revision = _read_pg_dump(path)
    else:
        raise BadBackup(
            "not a SQLite database nor a pg_dump custom archive",
            "không phải cơ sở dữ liệu SQLite hay bản pg_dump (định dạng custom)",
        )
    _compare(found, _known_revision(revision))
    return Checked(engine, revision or "", len(found), sidecar.exists())


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_magic(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_MAGIC))


def _read_sqlite(path: Path) -> tuple[Schema, str | None]:
    """The tables and revision of a whole, consistent SQLite file."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            page_count = conn.execute("PRAGMA page_count").fetchone()[0]
            if path.stat().st_size < page_size * page_count:
                raise BadBackup(
                    "truncated: shorter than its page count",
                    "bị cắt cụt: tệp ngắn hơn số trang của nó",
                )
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                detail = "; ".join(result[:3])
                raise BadBackup(
                    f"integrity check failed: {detail}", f"kiểm tra toàn vẹn thất bại: {detail}"
                )
            found = _sqlite_schema(conn)
            revisions = (
                [row[0] for row in conn.execute(f"SELECT version_num FROM {VERSION_TABLE}")]
                if VERSION_TABLE in found else []
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BadBackup(f"unreadable: {exc}", f"không đọc được: {exc}") from None
    return found, _one_revision(revisions)


def _sqlite_schema(conn: sqlite3.Connection) -> Schema:
    names = [
        row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%'"
            " ESCAPE '\\'"
        )
    ]
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    return {
        name: frozenset(row[1] for row in conn.execute(f"PRAGMA table_info({quoted[name]})"))
        for name in names
    }


_CREATE_TABLE = re.compile(
    r'^CREATE TABLE (?:(?:"[^"]+"|[\w$]+)\.)?("[^"]+"|[\w$]+) \(\n(.*?)\n\);$', re.M | re.S
)
_COLUMN = re.compile(r'^    ("[^"]+"|[\w$]+) ')
_COPY = re.compile(r"^COPY \S+ \(version_num\) FROM stdin;\n(.*?)^\\\.$", re.M | re.S)


def _read_pg_dump(path: Path) -> tuple[Schema, str | None]:
    """The tables and revision of a pg_dump custom archive whose every block reads."""
    ddl = _pg_restore(path, "--schema-only", "--file=-")
    # The schema alone reads only the table of contents; the data, to /dev/null, is
    # read block by block, which catches a damaged or cut archive.
    _pg_restore(path, "--data-only", "--file=/dev/null")
    found: Schema = {}
    for table, body in _CREATE_TABLE.findall(ddl):
        columns = (_COLUMN.match(line) for line in body.splitlines())
        found[table.strip('"')] = frozenset(
            match.group(1).strip('"') for match in columns
            if match and match.group(1) != "CONSTRAINT"
        )
    revisions: list[str] = []
    if VERSION_TABLE in found:
        data = _pg_restore(path, "--data-only", f"--table={VERSION_TABLE}", "--file=-")
        copied = _COPY.search(data)
        revisions = copied.group(1).split() if copied else []
    return found, _one_revision(revisions)


def _pg_restore(path: Path, *options: str) -> str:
    result = subprocess.run(
        ["pg_restore", *options, str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = result.stderr.strip()
        raise BadBackup(
            f"pg_restore cannot read it: {detail}", f"pg_restore không đọc được tệp: {detail}"
        )
    return result.stdout


def _one_revision(revisions: list[str]) -> str | None:
    if len(revisions) > 1:
        raise BadBackup(
            f"{VERSION_TABLE} holds {len(revisions)} revisions, not one",
            f"bảng {VERSION_TABLE} có {len(revisions)} phiên bản thay vì một",
        )
    return revisions[0] if revisions else None


def _known_revision(revision: str | None) -> str:
    """A revision this release knows how to migrate from."""
    if revision is None:
        raise BadBackup(
            "not a motcua backup: it records no schema revision",
            "không phải bản sao lưu motcua: tệp không ghi phiên bản lược đồ (alembic_version)",
        )
    if revision not in _scripts():
        raise BadBackup(
            f"unknown schema revision {revision!r} (a newer release, or not motcua)",
            f"phiên bản lược đồ lạ {revision!r} (bản phần mềm mới hơn, hoặc không phải motcua)",
        )
    return revision


def _compare(found: Schema, revision: str) -> None:
    expected = expected_schema(revision)
    ours = set(expected) - {VERSION_TABLE}
    if not ours & set(found):
        held = _listed(found) or "-"
        raise BadBackup(
            f"not a motcua backup: it holds none of motcua's tables (only: {held})",
            f"không phải bản sao lưu motcua: tệp không có bảng nào của motcua (chỉ có: {held})",
        )
    english: list[str] = []
    vietnamese: list[str] = []
    if missing := set(expected) - set(found):
        english.append(f"missing tables {_listed(missing)}")
        vietnamese.append(f"thiếu bảng {_listed(missing)}")
    if extra := set(found) - set(expected):
        english.append(f"tables motcua does not have {_listed(extra)}")
        vietnamese.append(f"có bảng lạ {_listed(extra)}")
    for table in sorted(set(expected) & set(found)):
        if lacking := expected[table] - found[table]:
            english.append(f"{table} lacks columns {_listed(lacking)}")
            vietnamese.append(f"bảng {table} thiếu cột {_listed(lacking)}")
        if unknown := found[table] - expected[table]:
            english.append(f"{table} has columns motcua does not have {_listed(unknown)}")
            vietnamese.append(f"bảng {table} có cột lạ {_listed(unknown)}")
    if english:
        raise BadBackup(
            f"its tables differ from motcua's schema at revision {revision}: "
            + "; ".join(english[:LISTED]),
            f"các bảng khác lược đồ motcua ở phiên bản {revision}: "
            + "; ".join(vietnamese[:LISTED]),
        )


def _listed(names: Iterable[str]) -> str:
    ordered = sorted(names)
    more = f" (+{len(ordered) - LISTED})" if len(ordered) > LISTED else ""
    return ", ".join(ordered[:LISTED]) + more


@functools.cache
def _scripts() -> tuple[str, ...]:
    """Every revision this release knows, newest first."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return tuple(script.revision for script in ScriptDirectory.from_config(config).walk_revisions())


@functools.cache
def expected_schema(revision: str) -> Schema:
    """The tables and columns motcua has at ``revision``."""
    if revision == _scripts()[0]:
        tables: Schema = {
            table.name: frozenset(column.name for column in table.columns)
            for table in metadata.sorted_tables
        }
        return tables | {VERSION_TABLE: frozenset({"version_num"})}
    with tempfile.TemporaryDirectory(prefix="motcua-schema-") as scratch:
        db = connect(f"sqlite:///{Path(scratch) / 'schema.db'}")
        try:
            command.upgrade(alembic_config(db), revision)
        finally:
            db.dispose()
        conn = sqlite3.connect(Path(scratch) / "schema.db")
        try:
            return _sqlite_schema(conn)
        finally:
            conn.close()
