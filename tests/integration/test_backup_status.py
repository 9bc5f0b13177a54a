"""Backup failures are reported: ``motcua-server backup`` records each outcome and
the admin and fleet pages show the last good backup's age, flagged in Vietnamese
and English when a backup failed or the last good one is more than 8 days old."""

from __future__ import annotations

import re
from pathlib import Path

from clocks import FakeClock
from live_server import database_env, run_cli
from server_fixtures import PASSWORD, Api
from test_web_admin import csrf_of

FLAGGED = 'role="alert" data-flagged="1"'


def _notice(api: Api, page: str = "/admin", who: str = "admin") -> str:
    """The backup line of ``page`` as ``who`` sees it (signed in afresh: the clock
    moves past the session's idle limit), tags stripped."""
    _sign_in(api, who)
    html = api.client.get(page).get_data(as_text=True)
    match = re.search(r'<p id="backup-status"([^>]*)>(.*?)</p>', html, re.S)
    assert match, html[:2000]
    flagged = FLAGGED in match.group(1)
    return ("FLAGGED " if flagged else "") + " ".join(re.sub(r"<[^>]+>", " ", match[2]).split())


def _sign_in(api: Api, who: str) -> None:
    token = csrf_of(api, "/admin/login")
    signed = api.client.post(
        "/admin/login", data={"username": who, "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 302


def _backup(api: Api, database_url: tuple[str, str | None], *args: str) -> int:
    url, schema = database_url
    data_dir = api.runtime.settings.data_dir
    return run_cli(
        "backup", *args, MOTCUA_DATA_DIR=str(data_dir),
        MOTCUA_DATABASE_URL=database_env(url, schema), MOTCUA_SECRET_KEY="test",
    ).returncode


def test_the_pages_show_the_last_good_backups_age_and_flag_failures_and_old_ones(
    api: Api, clock: FakeClock, database_url: tuple[str, str | None], tmp_path: Path
) -> None:
    assert _notice(api, "/admin") == (
        "FLAGGED Sao lưu: Chưa có bản sao lưu nào thành công. "
        "Backup: No backup has succeeded yet."
    )

    assert _backup(api, database_url) == 0
    clock.advance(hours=3)
    assert _notice(api, "/admin") == (
        "Sao lưu: Bản sao lưu tốt gần nhất: 2 giờ trước. Backup: Last good backup: 2 h ago."
    )

    # The next backup fails: its folder cannot be made.
    (tmp_path / "usb").write_text("a file where a folder should be")
    assert _backup(api, database_url, "--out", str(tmp_path / "usb" / "motcua.sqlite")) != 0
    clock.advance(minutes=5)
    failed = _notice(api, "/admin")
    assert failed.startswith("FLAGGED Sao lưu: Bản sao lưu tốt gần nhất: 3 giờ trước.")
    assert "thất bại: " in failed and "failed: " in failed and "usb" in failed

    # A later good one clears the failure; eight days on, its age is flagged.
    assert _backup(api, database_url) == 0
    clock.advance(days=8, hours=4)
    old = (
        "FLAGGED Sao lưu: Bản sao lưu tốt gần nhất: 8 ngày trước. Đã quá 8 ngày. "
        "Backup: Last good backup: 8 d ago. Older than 8 days."
    )
    assert _notice(api, "/admin") == old
    assert _notice(api, "/admin/devices", "technician") == old  # the fleet page
