"""Which class of ticket a counter calls next.

Inside a class tickets go first-in first-out by issue time; between the
priority and the normal class the service's policy decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from queue_server.queueing.model import PriorityPolicy, streak_after

T = TypeVar("T")


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


def calling_order(
    priority: Sequence[T],
    normal: Sequence[T],
    rules_of: Callable[[T], tuple[PriorityPolicy, int]],
    normal_streak: int,
    limit: int,
) -> list[T]:
    """The next ``limit`` tickets in the order one counter's call-nexts take them.

    ``priority`` and ``normal`` are each class's waiting tickets oldest first;
    ``rules_of`` gives the policy and interleave of a priority head's service (its
    own service decides how it competes). Call-next takes the first of this order
    and the waiting list shows the rest, so both follow one rule.
    """
    order: list[T] = []
    taken_priority = taken_normal = 0
    streak = normal_streak
    while len(order) < limit:
        head = priority[taken_priority] if taken_priority < len(priority) else None
        policy, every = rules_of(head) if head is not None else (PriorityPolicy.STRICT, 0)
        choice = take_priority_next(
            has_priority=head is not None,
            has_normal=taken_normal < len(normal),
            policy=policy,
            interleave_every=every,
            normal_streak=streak,
        )
        if choice is None:
            break
        if choice:
            order.append(priority[taken_priority])
            taken_priority += 1
        else:
            order.append(normal[taken_normal])
            taken_normal += 1
        streak = streak_after(streak, priority=choice)
    return order
