"""Whether the centre has a recent good backup, told where staff look.

``motcua-server backup`` (the weekly systemd timer, compose's ``backup`` service or
a technician) records each outcome in ``DATA_DIR/backup-status.json``. The server
shares that directory (the same volume under compose), and a file rather than a
table still records a backup that failed because the database was away. The admin
and fleet pages show the age of the last good backup and flag a failure, or a
good backup older than :data:`STALE_AFTER` (the timer runs weekly).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from drivers.logging_setup import redact

STATUS_FILE = "backup-status.json"
STALE_AFTER = timedelta(days=8)
#: A failure's reason is shown on a page: keep it to a line or two.
REASON_LIMIT = 300


@dataclass(frozen=True)
class Notice:
    """What the pages show: the words in both languages, and whether to flag them."""

    flagged: bool
    vi: str
    en: str


def record_success(data_dir: Path, now: datetime, path: Path) -> None:
    _write(data_dir, {**_read(data_dir), "success_at": now.isoformat(), "path": str(path)})


def record_failure(data_dir: Path, now: datetime, reason: str) -> None:
    """Keep when and why the backup failed (secrets masked, as in the logs)."""
    reason = redact(" ".join(reason.split()))[:REASON_LIMIT]
    _write(data_dir, {**_read(data_dir), "failure_at": now.isoformat(), "reason": reason})


def notice(data_dir: Path, now: datetime) -> Notice:
    """The last good backup's age; flagged when there is none, it is older than
    :data:`STALE_AFTER`, or a later attempt failed."""
    status = _read(data_dir)
    success = _instant(status.get("success_at"))
    failure = _instant(status.get("failure_at"))
    if success is None:
        vi, en = "Chưa có bản sao lưu nào thành công.", "No backup has succeeded yet."
    else:
        age_vi, age_en = _age(now - success)
        vi, en = f"Bản sao lưu tốt gần nhất: {age_vi}.", f"Last good backup: {age_en}."
    flagged = success is None or now - success > STALE_AFTER
    if flagged and success is not None:
        vi += f" Đã quá {STALE_AFTER.days} ngày."
        en += f" Older than {STALE_AFTER.days} days."
    if failure is not None and (success is None or failure > success):
        when = failure.strftime("%Y-%m-%d %H:%M UTC")
        reason = status.get("reason", "")
        vi += f" Lần sao lưu lúc {when} thất bại: {reason}"
        en += f" The backup at {when} failed: {reason}"
        flagged = True
    return Notice(flagged, vi, en)


def _age(elapsed: timedelta) -> tuple[str, str]:
    days, hours = elapsed.days, elapsed.seconds // 3600
    if days:
        return f"{days} ngày trước", f"{days} d ago"
    return f"{hours} giờ trước", f"{hours} h ago"


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _read(data_dir: Path) -> dict[str, str]:
    try:
        loaded = json.loads((data_dir / STATUS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write(data_dir: Path, status: dict[str, str]) -> None:
    """Replace the file whole, so the server never reads half of it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = data_dir / f".{STATUS_FILE}.{os.getpid()}"
    partial.write_text(json.dumps(status, ensure_ascii=False), "utf-8")
    partial.replace(data_dir / STATUS_FILE)
