"""The technician PIN's back-off: five wrong PINs lock the pad for a minute, each
wrong PIN after a lock-out doubles the wait up to 15 minutes, a right PIN starts
over, and a restart (a new guard on the same file) keeps the count."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from clocks import FakeClock

from kiosk_app.config import hash_pin
from kiosk_app.pin_guard import PinAnswer, PinGuard

PIN = "2468"


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN)


def test_wrong_pins_lock_the_pad_for_longer_each_time_up_to_15_minutes(
    tmp_path: Path, pin_hash: str
) -> None:
    clock = FakeClock()
    guard = PinGuard(tmp_path / "pin-guard.json", clock)
    answers = [guard.try_pin(pin_hash, "0000") for _ in range(5)]
    assert answers == [PinAnswer.WRONG] * 4 + [PinAnswer.LOCKED_OUT]
    assert guard.remaining() == timedelta(minutes=1)
    # Locked: not even the right PIN is looked at.
    assert guard.try_pin(pin_hash, PIN) is PinAnswer.LOCKED
    clock.advance(seconds=59)
    assert guard.try_pin(pin_hash, PIN) is PinAnswer.LOCKED
    waits = []
    for _ in range(6):
        clock.advance(seconds=guard.remaining().total_seconds())
        assert guard.try_pin(pin_hash, "1111") is PinAnswer.LOCKED_OUT
        waits.append(guard.remaining() // timedelta(minutes=1))
    assert waits == [2, 4, 8, 15, 15, 15]
    assert (guard.failures, guard.lockouts) == (11, 7)


def test_a_restart_keeps_the_lock_and_a_right_pin_starts_over(
    tmp_path: Path, pin_hash: str
) -> None:
    clock = FakeClock()
    state = tmp_path / "pin-guard.json"
    guard = PinGuard(state, clock)
    for _ in range(5):
        guard.try_pin(pin_hash, "0000")
    clock.advance(seconds=10)
    restarted = PinGuard(state, clock)  # the plug pulled and put back
    assert restarted.try_pin(pin_hash, PIN) is PinAnswer.LOCKED
    assert restarted.remaining() == timedelta(seconds=50)
    clock.advance(seconds=50)
    assert restarted.try_pin(pin_hash, PIN) is PinAnswer.OPEN
    assert (restarted.failures, restarted.lockouts) == (0, 0)
    again = PinGuard(state, clock)
    assert [again.try_pin(pin_hash, "0000") for _ in range(4)] == [PinAnswer.WRONG] * 4


def test_a_damaged_state_file_locks_rather_than_opens(tmp_path: Path, pin_hash: str) -> None:
    state = tmp_path / "pin-guard.json"
    state.write_text("{not json", "utf-8")
    clock = FakeClock()
    guard = PinGuard(state, clock)
    assert guard.try_pin(pin_hash, PIN) is PinAnswer.LOCKED
    clock.advance(minutes=1)
    assert guard.try_pin(pin_hash, PIN) is PinAnswer.OPEN
