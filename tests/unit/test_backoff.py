"""The devices' one back-off: waits double up to the cap, and a success starts them
again from the shortest (issue 14: five hand-written loops became this)."""

from __future__ import annotations

from itertools import islice

from device_kit.backoff import Backoff


def test_waits_double_up_to_the_cap() -> None:
    assert list(islice(Backoff(0.2, 1.0), 6)) == [0.2, 0.4, 0.8, 1.0, 1.0, 1.0]


def test_a_success_starts_again_from_the_shortest_wait() -> None:
    delays = Backoff(0.5, 5.0)
    assert [next(delays) for _ in range(4)] == [0.5, 1.0, 2.0, 4.0]
    delays.reset()
    assert [next(delays) for _ in range(3)] == [0.5, 1.0, 2.0]


def test_a_cap_below_the_first_wait_is_kept_after_it() -> None:
    assert list(islice(Backoff(0.5, 0.3), 3)) == [0.5, 0.3, 0.3]
