"""Capped exponential back-off, for a device that lost its server or its port.

A loop that tries again (the event stream, the rating terminal asking for its desk,
an LED port, a serial link being reopened) waits the first delay, then twice that,
and so on up to the cap, and starts from the first delay again once a try worked:
a short outage heals at once, a long one does not hammer the server or the line.
"""

from __future__ import annotations


class Backoff:
    """Endless delays ``initial, 2·initial, 4·initial, ... maximum, maximum, ...``."""

    def __init__(self, initial: float, maximum: float) -> None:
        self.initial, self.maximum = initial, maximum
        self._next = initial

    def __iter__(self) -> Backoff:
        return self

    def __next__(self) -> float:
        delay = self._next
        self._next = min(delay * 2, self.maximum)
        return delay

    def reset(self) -> None:
        """After a success: the next wait is the shortest again."""
        self._next = self.initial
