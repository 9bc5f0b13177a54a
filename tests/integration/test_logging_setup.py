"""One logging set-up for every entry point: one scrubbed line per record, ready
for journald; raw device bytes kept apart; the audit log masks ID-like names."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import live_server
import pytest
import requests
from live_server import LiveServer
from server_fixtures import Api
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from drivers.logging_setup import TRAFFIC, configure_logging

CITIZEN_ID = "079185001234"


@pytest.fixture
def output(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the process would print, with the logging state put back afterwards."""
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    root, wire = logging.getLogger(), logging.getLogger(TRAFFIC)
    saved = (root.level, root.handlers[:], wire.level, wire.handlers[:], wire.propagate)
    yield io.StringIO()
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    wire.setLevel(saved[2])
    wire.handlers[:] = saved[3]
    wire.propagate = saved[4]


def test_a_traceback_is_one_line_without_the_id_number_it_carried(output: io.StringIO) -> None:
    configure_logging(stream=output)
    try:
        raise ValueError(f"no dossier for CCCD {CITIZEN_ID}\nsecond line")
    except ValueError:
        logging.getLogger("queue_server.test").exception("lookup failed")
    printed = output.getvalue()
    assert CITIZEN_ID not in printed
    assert printed.count("\n") == 1
    assert "ERROR queue_server.test: lookup failed\\nTraceback" in printed
    assert "CCCD [id-number]\\nsecond line" in printed


def test_sql_parameters_never_reach_the_log(output: io.StringIO) -> None:
    configure_logging(stream=output)
    engine = create_engine("sqlite://")
    sql_log = logging.getLogger("sqlalchemy.engine")
    sql_log.setLevel(logging.INFO)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE people (id_number TEXT UNIQUE, name TEXT)"))
            row = {"number": CITIZEN_ID, "name": "Nguyễn Văn An"}
            insert = text("INSERT INTO people VALUES (:number, :name)")
            conn.execute(insert, row)
            with pytest.raises(IntegrityError) as duplicate:
                conn.execute(insert, row)
            logging.getLogger("queue_server.test").error("import failed: %s", duplicate.value)
    finally:
        sql_log.setLevel(logging.WARNING)
    printed = output.getvalue()
    assert "INSERT INTO people VALUES" in printed
    assert "[parameters redacted]" in printed and "[parameters: [redacted]]" in printed
    assert CITIZEN_ID not in printed and "Nguyễn Văn An" not in printed


def test_under_journald_lines_carry_the_priority_and_no_timestamp(
    output: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_logging(stream=output)
    logging.getLogger("queue_server.test").warning("printer offline")
    monkeypatch.setenv("JOURNAL_STREAM", "8:4242")
    configure_logging(stream=output)
    logging.getLogger("queue_server.test").warning("printer offline")
    at_console, in_journal = output.getvalue().splitlines()
    assert at_console[:4].isdigit() and at_console.endswith(
        " WARNING queue_server.test: printer offline"
    )
    assert in_journal == "<4>WARNING queue_server.test: printer offline"


def test_device_bytes_have_their_own_log_off_by_default(output: io.StringIO) -> None:
    configure_logging(stream=output)
    logging.getLogger(f"{TRAFFIC}.scanner").debug("rx %r", b"\x02A023\x03")
    assert output.getvalue() == ""
    configure_logging(stream=output, traffic=True)
    logging.getLogger(f"{TRAFFIC}.scanner").debug("rx %r", b"\x02A023\x03")
    assert "DEBUG drivers.traffic.scanner: rx b'\\x02A023\\x03'" in output.getvalue()
    assert logging.getLogger(TRAFFIC).propagate is False


def test_the_audit_masks_a_user_name_that_looks_like_an_id_number(api: Api) -> None:
    refused = api.call(
        "POST", "/auth/token", json={"username": CITIZEN_ID, "password": "khong-dung"}
    )
    assert refused.status_code == 401
    entries = api.call("GET", "/audit?kind=auth.failed", "admin").json["entries"]
    assert [e["actor"] for e in entries] == ["user:[id-number]"]
    exported = api.call("GET", "/audit.csv", "admin").get_data(as_text=True)
    assert CITIZEN_ID not in exported


def wait_for(path: Path, needle: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = path.read_text(encoding="utf-8")
        if needle in content:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} not logged: {path.read_text(encoding='utf-8')[-2000:]}")


def test_the_running_server_logs_its_info_lines_for_journald(tmp_path: Path) -> None:
    assert live_server.run_cli("init", "--demo", MOTCUA_DATA_DIR=str(tmp_path)).returncode == 0
    server = LiveServer(f"sqlite:///{tmp_path / 'motcua.db'}", tmp_path)
    server.env["JOURNAL_STREAM"] = "8:4242"
    server.start()
    try:
        wanted = "000.00.06.H56-240101-9999"
        answer = requests.get(
            f"{server.url}/api/v1/dossiers/lookup", params={"q": wanted}, timeout=5
        )
        assert answer.status_code == 404
        printed = wait_for(server.log, f"lookup of unknown dossier {wanted}")
    finally:
        server.stop()
    lines = printed.splitlines()
    assert f"<6>INFO gunicorn.error: Listening at: {server.url} " in printed
    assert (
        f"<6>INFO queue_server.services.dossier_lookup: lookup of unknown dossier {wanted}"
        in lines
    )
