"""The weekly backup slot and the retention of old backups."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from queue_server.backup import next_backup_time, prune

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SUNDAY = 6


def test_next_slot_is_the_coming_sunday_at_two_hanoi_time() -> None:
    wednesday_9am_hanoi = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    slot = next_backup_time(wednesday_9am_hanoi, SUNDAY, time(2, 0), HANOI)
    assert slot == datetime(2026, 11, 28, 19, 0, tzinfo=UTC)  # Sun 29 Nov 02:00 +07
    assert slot.astimezone(HANOI).weekday() == SUNDAY


def test_a_slot_just_taken_moves_to_the_next_week() -> None:
    at_the_slot = datetime(2026, 11, 28, 19, 0, tzinfo=UTC)
    assert next_backup_time(at_the_slot, SUNDAY, time(2, 0), HANOI) == datetime(
        2026, 12, 5, 19, 0, tzinfo=UTC
    )


def test_later_the_same_day_in_hanoi_but_earlier_in_utc() -> None:
    sunday_1am_hanoi = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)  # still Saturday in UTC
    assert next_backup_time(sunday_1am_hanoi, SUNDAY, time(2, 0), HANOI) == datetime(
        2026, 11, 28, 19, 0, tzinfo=UTC
    )


def test_prune_keeps_the_newest_and_leaves_other_files(tmp_path: Path) -> None:
    names = [f"motcua-202611{day:02d}T190000Z.sqlite" for day in (1, 8, 15, 22, 29)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
        (tmp_path / f"{name}.sha256").write_text("x")
    (tmp_path / "notes.txt").write_text("keep me")
    deleted = prune(tmp_path, keep=3)
    assert [p.name for p in deleted] == names[:2]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(
        ["notes.txt", *names[2:], *(f"{n}.sha256" for n in names[2:])]
    )


def test_prune_refuses_to_keep_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        prune(tmp_path, keep=0)
