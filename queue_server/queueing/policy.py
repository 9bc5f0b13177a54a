"""Which class of ticket a counter calls next.

Inside a class tickets go first-in first-out by issue time; between the
priority and the normal class the service's policy decides.
"""

from __future__ import annotations

from queue_server.queueing.model import PriorityPolicy


def take_priority_next(
    *,
    has_priority: bool,
    has_normal: bool,
    policy: PriorityPolicy,
    interleave_every: int,
    normal_streak: int,
) -> bool | None:
    """True: call the priority head; False: the normal head; None: nothing waits.

    Strict serves every priority ticket first. Interleaved serves one priority
    ticket after every ``interleave_every`` normal tickets the counter called, so
    neither queue starves.
    """
    if not has_priority and not has_normal:
        return None
    if not has_normal:
        return True
    if not has_priority:
        return False
    if policy is PriorityPolicy.STRICT:
        return True
    return normal_streak >= interleave_every
