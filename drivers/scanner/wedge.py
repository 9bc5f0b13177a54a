"""Keyboard-wedge (USB HID) scanners: tell a scanner's typing from a person's.

A scanner in keyboard mode "types" the payload a few milliseconds per key and
presses Enter; a person types tens of milliseconds or more apart. The
assembler is pure (characters and their times in, payloads out), so a Kivy
keyboard handler, a terminal reader or a test can drive it.
"""

from __future__ import annotations

import time

from drivers.scanner.base import Clock, ErrorCallback, ScanCallback, ScanStream

TERMINATORS = frozenset("\r\n")


class WedgeAssembler:
    """Collects a burst of fast keys ended by Enter into one payload.

    Any gap longer than ``max_gap_s`` (between keys or before Enter) starts
    over, so a person typing in a search field is never taken for a scanner;
    a burst shorter than ``min_length`` is ignored as well.
    """

    def __init__(self, max_gap_s: float = 0.03, min_length: int = 4) -> None:
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self._chars: list[str] = []
        self._last = 0.0

    def feed(self, char: str, at: float) -> str | None:
        """Take one key (a character, or CR/LF for Enter) at time ``at`` in seconds."""
        if self._chars and at - self._last > self.max_gap_s:
            self._chars.clear()
        if char in TERMINATORS:
            payload = "".join(self._chars)
            self._chars.clear()
            return payload if len(payload) >= self.min_length else None
        self._chars.append(char)
        self._last = at
        return None

    @property
    def in_burst(self) -> bool:
        """True while keys arrive at scanner speed (a UI may hold them back from a text field)."""
        return len(self._chars) > 1


class WedgeScanner(ScanStream):
    """A keyboard-wedge scanner: feed it every key the application receives.

    In Kivy: ``Window.bind(on_textinput=lambda _w, text: [wedge.key(c) for c in text])``
    and, for Enter, ``on_key_down`` with key 13 calling ``wedge.key("\\r")``.
    """

    def __init__(
        self,
        on_scan: ScanCallback | None = None,
        *,
        assembler: WedgeAssembler | None = None,
        on_error: ErrorCallback | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__("wedge", on_scan, on_error=on_error, clock=clock)
        self.assembler = assembler or WedgeAssembler()

    def key(self, char: str, at: float | None = None) -> bool:
        """Feed one key; True if it completed a scan (that was delivered or suppressed)."""
        at = self.clock() if at is None else at
        payload = self.assembler.feed(char, at)
        if payload is None:
            return False
        self.deliver(payload, at)
        return True
