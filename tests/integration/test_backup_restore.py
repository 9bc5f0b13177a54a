"""Backups taken while kiosks issue tickets, restored into an empty database, and
damaged or foreign backup files refused by ``verify`` and so by ``restore``."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from live_server import LiveServer, database_env, run_cli
from pg_schema import temporary_schema
from server_fixtures import Api
from sqlalchemy import create_engine, func, select, text

from queue_server.adapters.database import (
    Database,
    alembic_config,
    connect,
    expected_revision,
    migrate,
)
from queue_server.adapters.tables import daily_sequences, events, tickets
from queue_server.backup import backup
from queue_server.backup_check import BadBackup, checksum_path, verify
from queue_server.cli import main
from queue_server.runtime import Runtime

THREADS = 4
PER_THREAD = 15
SERVICES = ("dat-dai", "ho-tich", "xay-dung")


def _burst(api: Api, acknowledged: list[int], lock: threading.Lock, started: threading.Event,
           index: int) -> None:
    client = api.client.application.test_client()
    for n in range(PER_THREAD):
        response = client.post(
            "/api/v1/tickets",
            json={"service": SERVICES[(index + n) % len(SERVICES)]},
            headers={"Authorization": f"Bearer {api.tokens['kiosk']}"},
        )
        assert response.status_code == 201, response.json
        with lock:
            acknowledged.append(response.json["id"])
            if len(acknowledged) >= THREADS * 3:
                started.set()


def _contents(url: str, schema: str | None) -> dict[str, Any]:
    db = connect(url, schema=schema)
    try:
        with db.engine.connect() as conn:
            ids = set(conn.execute(select(tickets.c.id)).scalars())
            issued = set(
                conn.execute(
                    select(events.c.ticket_id).where(events.c.kind == "ticket.issued")
                ).scalars()
            )
            per_service = dict(
                conn.execute(
                    select(tickets.c.service_id, func.count()).group_by(tickets.c.service_id)
                ).all()
            )
            sequences = dict(
                conn.execute(select(daily_sequences.c.service_id, daily_sequences.c.last_number))
                .all()
            )
    finally:
        db.dispose()
    return {"ids": ids, "issued": issued, "per_service": per_service, "sequences": sequences}


def _empty_target(database_url: tuple[str, str | None], tmp_path: Path) -> str:
    """A fresh database for the restore: a new SQLite file, or the test schema emptied."""
    url, schema = database_url
    if schema is None:
        return f"sqlite:///{tmp_path / 'fresh' / 'motcua.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return url


def test_backup_during_a_ticket_burst_restores_every_committed_ticket(
    api: Api, runtime: Runtime, database_url: tuple[str, str | None], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    acknowledged: list[int] = []
    lock, started = threading.Lock(), threading.Event()
    workers = [
        threading.Thread(target=_burst, args=(api, acknowledged, lock, started, i))
        for i in range(THREADS)
    ]
    for worker in workers:
        worker.start()
    assert started.wait(60)
    with lock:
        committed_before = set(acknowledged)
    url, schema = database_url
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_env(url, schema))
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_SECRET_KEY", "test")
    assert main(["backup"]) == 0
    for worker in workers:
        worker.join()
    printed = capsys.readouterr().out
    path = Path(printed.strip())
    assert printed == f"{path}\n" and path.parent == tmp_path / "backups" and path.is_file()
    assert len(acknowledged) == THREADS * PER_THREAD

    runtime.db.dispose()
    fresh = _empty_target(database_url, tmp_path)
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_env(fresh, schema))
    assert main(["verify", str(path)]) == 0
    assert main(["restore", str(path)]) == 0

    restored = _contents(fresh, schema)
    assert committed_before <= restored["ids"]
    # One snapshot: each ticket has its event, and numbering matches the tickets held.
    assert restored["issued"] == restored["ids"]
    for service_id, count in restored["per_service"].items():
        assert restored["sequences"][service_id] == count


def test_a_restored_backup_serves_the_queue_again(api: Api, runtime: Runtime, tmp_path: Path,
                                                 database_url: tuple[str, str | None]) -> None:
    first = api.issue("ho-tich")
    path = backup(runtime.db, tmp_path / "b" / "one")
    api.issue("ho-tich")
    runtime.db.dispose()
    url, schema = database_url
    fresh = _empty_target(database_url, tmp_path)
    monkeypatch_env = {"MOTCUA_DATABASE_URL": database_env(fresh, schema),
                       "MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_SECRET_KEY": "test"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in monkeypatch_env.items():
            mp.setenv(key, value)
        assert main(["restore", str(path)]) == 0
    assert _contents(fresh, schema)["ids"] == {first["id"]}


@pytest.fixture
def good_backup(runtime: Runtime, api: Api, tmp_path: Path) -> Path:
    for service in SERVICES:
        api.issue(service)
    return backup(runtime.db, tmp_path / "backups" / "good")


def test_a_good_backup_verifies(good_backup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checked = verify(good_backup)
    assert checked.revision == expected_revision() and checked.checksum_checked
    assert main(["verify", str(good_backup)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK {good_backup}: ")
    assert f"schema revision {expected_revision()}" in out and "checksum matches good.sha256" in out


def test_a_truncated_backup_is_refused(good_backup: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut"
    data = good_backup.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(BadBackup):
        verify(cut)
    assert main(["verify", str(cut)]) == 1


def test_a_flipped_byte_is_caught_by_the_checksum(good_backup: Path) -> None:
    data = bytearray(good_backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    good_backup.write_bytes(bytes(data))
    with pytest.raises(BadBackup, match="checksum"):
        verify(good_backup)
    assert main(["verify", str(good_backup)]) == 1


def test_a_damaged_backup_without_checksum_is_refused(good_backup: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    data = bytearray(good_backup.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\x00\xff" * 2048
    damaged.write_bytes(bytes(data))
    with pytest.raises(BadBackup):
        verify(damaged)


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("bản sao lưu giả\n")
    with pytest.raises(BadBackup, match="not a SQLite database nor a pg_dump custom archive"):
        verify(junk)
    assert main(["verify", str(tmp_path / "missing")]) == 1


def test_restore_refuses_a_bad_file_and_leaves_the_database(
    good_backup: Path, runtime: Runtime, api: Api, tmp_path: Path,
    database_url: tuple[str, str | None], monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut = tmp_path / "cut"
    cut.write_bytes(good_backup.read_bytes()[:5000])
    shutil.copy(good_backup, tmp_path / "spare")
    url, schema = database_url
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_env(url, schema))
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    assert main(["restore", str(cut)]) == 2
    assert len(_contents(url, schema)["ids"]) == len(SERVICES)


def test_restore_refuses_while_a_server_runs_on_the_database(
    good_backup: Path, runtime: Runtime, api: Api, tmp_path: Path,
    database_url: tuple[str, str | None],
) -> None:
    """GIVEN a live server WHEN restore is run THEN it refuses, saying how to stop the
    server, and the queue keeps its tickets; once the server is stopped it restores."""
    url, schema = database_url
    env = {"MOTCUA_DATABASE_URL": database_env(url, schema), "MOTCUA_DATA_DIR": str(tmp_path)}
    api.issue("ho-tich")  # after the backup: a restore would take this number back
    server = LiveServer(database_env(url, schema), tmp_path).start()
    try:
        refused = run_cli("restore", str(good_backup), **env)
    finally:
        server.stop()
    assert refused.returncode == 1
    assert "systemctl stop motcua-server" in refused.stderr
    assert "đang chạy" in refused.stderr and "is running" in refused.stderr
    assert len(_contents(url, schema)["ids"]) == len(SERVICES) + 1

    restored = run_cli("restore", str(good_backup), **env)
    assert restored.returncode == 0, restored.stderr
    assert len(_contents(url, schema)["ids"]) == len(SERVICES)


def test_verify_says_when_no_checksum_was_checked(
    good_backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checksum_path(good_backup).unlink()
    assert main(["verify", str(good_backup)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK {good_backup}: ")
    assert "no checksum checked: no good.sha256 beside the file" in out
    assert "chưa kiểm tra mã kiểm tra (checksum)" in out
    assert not verify(good_backup).checksum_checked


@contextmanager
def _other_database(database_url: tuple[str, str | None], tmp_path: Path) -> Iterator[Database]:
    """An empty database on the same engine, apart from the one the test serves."""
    url, schema = database_url
    if schema is None:
        db = connect(f"sqlite:///{tmp_path / 'other' / 'motcua.db'}")
        try:
            yield db
        finally:
            db.dispose()
        return
    with temporary_schema() as other:
        db = connect(url, schema=other)
        try:
            yield db
        finally:
            db.dispose()


def _refused_by_verify_and_restore(
    path: Path, database_url: tuple[str, str | None], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> BadBackup:
    """``verify`` refuses ``path``; ``restore`` refuses it with the same words and
    leaves the served database as it was."""
    with pytest.raises(BadBackup) as refused:
        verify(path)
    url, schema = database_url
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_env(url, schema))
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    capsys.readouterr()
    assert main(["verify", str(path)]) == 1
    said = capsys.readouterr().err
    assert refused.value.message in said and refused.value.message_vi in said
    assert main(["restore", str(path)]) == 2
    said = capsys.readouterr().err
    assert refused.value.message in said and refused.value.message_vi in said
    assert len(_contents(url, schema)["ids"]) == len(SERVICES)
    return refused.value


def test_a_foreign_file_holding_only_alembic_version_is_refused(
    good_backup: Path, database_url: tuple[str, str | None], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    with _other_database(database_url, tmp_path) as other:
        with other.engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(
                text("INSERT INTO alembic_version VALUES (:head)"), {"head": expected_revision()}
            )
        foreign = backup(other, tmp_path / "foreign" / "motcua")
    refused = _refused_by_verify_and_restore(
        foreign, database_url, tmp_path, monkeypatch, capsys
    )
    assert refused.message == (
        "not a motcua backup: it holds none of motcua's tables (only: alembic_version)"
    )
    assert refused.message_vi == (
        "không phải bản sao lưu motcua: tệp không có bảng nào của motcua "
        "(chỉ có: alembic_version)"
    )


def test_a_backup_whose_tables_or_columns_differ_is_refused(
    good_backup: Path, database_url: tuple[str, str | None], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    with _other_database(database_url, tmp_path) as other:
        migrate(other)
        with other.engine.begin() as conn:
            conn.execute(text("ALTER TABLE tickets ADD COLUMN ghi_chu_la VARCHAR(20)"))
            conn.execute(text("ALTER TABLE users DROP COLUMN full_name"))
            conn.execute(text("CREATE TABLE bang_la (id INTEGER PRIMARY KEY)"))
        altered = backup(other, tmp_path / "altered" / "motcua")
    refused = _refused_by_verify_and_restore(
        altered, database_url, tmp_path, monkeypatch, capsys
    )
    assert refused.message == (
        f"its tables differ from motcua's schema at revision {expected_revision()}: "
        "tables motcua does not have bang_la; "
        "tickets has columns motcua does not have ghi_chu_la; users lacks columns full_name"
    )
    assert "bảng users thiếu cột full_name" in refused.message_vi
    assert "bảng tickets có cột lạ ghi_chu_la" in refused.message_vi
    assert "có bảng lạ bang_la" in refused.message_vi


def test_a_backup_of_an_older_release_verifies_and_restores(
    database_url: tuple[str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A backup at an older revision holds that revision's tables; restore upgrades it."""
    url, schema = database_url
    db = connect(url, schema=schema)
    command.upgrade(alembic_config(db), "0007")
    older = backup(db, tmp_path / "older" / "motcua")
    db.dispose()
    assert verify(older).revision == "0007"
    with _other_database(database_url, tmp_path) as other:
        with other.engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(text("INSERT INTO alembic_version VALUES ('0007')"))
        with pytest.raises(BadBackup, match="holds none of motcua's tables"):
            verify(backup(other, tmp_path / "foreign" / "motcua"))

    fresh = _empty_target(database_url, tmp_path)
    monkeypatch.setenv("MOTCUA_DATABASE_URL", database_env(fresh, schema))
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    assert main(["restore", str(older)]) == 0
    restored = connect(fresh, schema=schema)
    try:
        with restored.engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        restored.dispose()
    assert revision == expected_revision()
