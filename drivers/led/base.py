"""What the LED bridge needs from a counter number board, real or not."""

from __future__ import annotations

from typing import Protocol


class NumberBoard(Protocol):
    """A board above a counter showing the ticket being served."""

    def show_number(self, number: str) -> None: ...

    def show_text(self, text: str) -> None: ...

    def blank(self) -> None: ...

    def blink(self, half_period: float = 0.5) -> None: ...

    def set_brightness(self, percent: int) -> None: ...

    def ping(self) -> bool: ...
