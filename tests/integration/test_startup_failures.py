"""``motcua-server`` that cannot start says why on one line, in Vietnamese and
English, naming what it could not use (never a password); the traceback only
with ``--debug``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from clocks import process_env
from live_server import ROOT, free_port

#: As root, file modes bind only without these capabilities (util-linux ``setpriv``).
WITHOUT_ROOT_OVERRIDES = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def run_cli(
    *args: str, prefix: list[str] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "queue_server.cli", *args],
        cwd=ROOT,
        env=process_env(
            {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}, **env
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "lỗi khởi động" in lines[0] and "start-up error" in lines[0]
    return lines[0]


def test_a_refused_database_is_one_line_naming_it_without_the_password(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql+psycopg://motcua:s3cret-pw@127.0.0.1:{port}/motcua"
    result = run_cli("init", MOTCUA_DATABASE_URL=url, MOTCUA_DATA_DIR=str(tmp_path))
    line = one_line(result)
    assert f"postgresql+psycopg://motcua:***@127.0.0.1:{port}/motcua" in line
    assert "connection refused" in line and "từ chối kết nối" in line
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_debug_adds_the_traceback_to_the_same_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://motcua:s3cret-pw@127.0.0.1:{free_port()}/motcua"
    result = run_cli("init", "--debug", MOTCUA_DATABASE_URL=url, MOTCUA_DATA_DIR=str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("lỗi khởi động")


@pytest.fixture
def read_only_dir() -> Iterator[Path]:
    """A data folder the server's user cannot write."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-ro-"))
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.rmdir()


def test_a_read_only_data_dir_is_named_with_its_cause(read_only_dir: Path) -> None:
    prefix = None
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root writes anywhere; setpriv (util-linux) is needed to stop that")
        prefix = WITHOUT_ROOT_OVERRIDES
    result = run_cli(
        "init", prefix=prefix, MOTCUA_DATA_DIR=str(read_only_dir), MOTCUA_SECRET_KEY="test"
    )
    line = one_line(result)
    assert f"data folder {read_only_dir} (MOTCUA_DATA_DIR)" in line
    assert "no permission to write" in line and "không có quyền ghi" in line
    assert not (read_only_dir / "motcua.db").exists()


def test_a_data_dir_that_is_a_file_is_named_with_its_cause(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "var"
    not_a_folder.write_text("")
    line = one_line(
        run_cli("init", MOTCUA_DATA_DIR=str(not_a_folder), MOTCUA_SECRET_KEY="test")
    )
    assert f"data folder {not_a_folder} (MOTCUA_DATA_DIR)" in line
    assert "not a folder" in line and "không phải là thư mục" in line


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MOTCUA_USER_TOKEN_HOURS": "twelve"}, "MOTCUA_USER_TOKEN_HOURS='twelve'"),
        ({"MOTCUA_DATABASE_URL": "postgres//motcua:pw@db"}, "(MOTCUA_DATABASE_URL)"),
        ({"MOTCUA_MAX_STREAMS": "0"}, "MOTCUA_MAX_STREAMS='0' must be above 0"),
        ({"MOTCUA_SETTINGS_FILE": "/nonexistent/server.env"},
         "MOTCUA_SETTINGS_FILE='/nonexistent/server.env': there is no such file"),
    ],
)
def test_bad_settings_name_the_setting(tmp_path: Path, env: dict[str, str], named: str) -> None:
    result = run_cli("init", MOTCUA_DATA_DIR=str(tmp_path), **env)
    line = one_line(result)
    assert named in line and ":pw@" not in line


def test_a_bad_value_in_the_settings_file_is_named(tmp_path: Path) -> None:
    settings_file = tmp_path / "server.env"
    settings_file.write_text("MOTCUA_DATABASE_URL=\nMOTCUA_USER_TOKEN_HOURS=twelve\n")
    line = one_line(
        run_cli("init", MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_SETTINGS_FILE=str(settings_file))
    )
    assert "MOTCUA_USER_TOKEN_HOURS='twelve' is not a whole number" in line
    assert "MOTCUA_USER_TOKEN_HOURS='twelve' không phải là số nguyên" in line
