"""A token bucket per key (client address, device token, phone number).

Kept in the process: a lookup must not cost a database write. With several
server workers each holds its own buckets, so the effective limit is at most
the configured one times the number of workers; still far too slow to walk the
code space.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict


class RateLimiter:
    """``capacity`` hits at once, refilled evenly over ``period_s``.

    ``hit`` returns 0 when allowed, else the whole seconds to wait. At most
    ``max_keys`` buckets are kept; the least recently used go first.
    """

    def __init__(self, capacity: int, period_s: float, max_keys: int = 100_000) -> None:
        if capacity < 1 or period_s <= 0:
            raise ValueError("a rate limit needs capacity >= 1 and a positive period")
        self.capacity = capacity
        self.rate = capacity / period_s
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> int:
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.capacity), now))
            tokens = min(self.capacity, tokens + max(0.0, now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                wait = 0
            else:
                self._buckets[key] = (tokens, now)
                wait = max(1, math.ceil((1 - tokens) / self.rate))
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait
