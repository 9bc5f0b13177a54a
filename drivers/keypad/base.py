"""What a counter needs from a keypad, real or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from drivers.keypad.protocol import Key, Led


@dataclass(frozen=True)
class KeyEvent:
    """One key press: which keypad (bus address), which key, and when (epoch seconds)."""

    address: int
    key: Key
    seq: int
    time: float = field(compare=False)


class KeySource(Protocol):
    """Where a counter reads key presses from and gives the officer feedback."""

    def read_event(self, timeout: float | None = None) -> KeyEvent | None: ...

    def feedback(self, address: int, led: Led = Led.GREEN, beeps: int = 1) -> None: ...
