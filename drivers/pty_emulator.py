"""The device end of a framed serial line on a pseudo-terminal, for emulators.

A driver opens the pty's slave path exactly as it opens ``/dev/ttyUSB0``; the
emulator reads the master end on a thread, decodes frames with the same
:class:`~drivers.serial_frame.FrameParser`, and answers through :meth:`handle`.

Unplugging is simulated by :meth:`vanish` and plugging back by :meth:`restore`,
on a :class:`~drivers.pty_line.PtyLine` (a ``link`` keeps one path across both).
"""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Self

from drivers.pty_line import PtyLine
from drivers.serial_frame import Frame, FrameParser, encode_frame

logger = logging.getLogger(__name__)

POLL_INTERVAL = 0.05


class PtyFrameEmulator:
    """Base of the LED board and keypad emulators: subclasses implement :meth:`handle`."""

    def __init__(self, link: str | Path | None = None) -> None:
        """``link``: a symlink kept pointing at the current pty (see :meth:`restore`)."""
        self.line = PtyLine(link)
        self.parser = FrameParser()
        self.received: list[Frame] = []
        self.lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._corrupt_replies = 0

    @property
    def path(self) -> str:
        """The path a driver opens: the symlink when one was asked for, else the pty."""
        return self.line.path

    @property
    def rejected(self) -> int:
        """Frames the emulator rejected (bad checksum or impossible length)."""
        return self.parser.rejected

    def start(self) -> Self:
        """Open a pty and serve it on a thread; return self (``path`` is now valid)."""
        self.line.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the pty (and remove the symlink)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.line.close()

    def vanish(self) -> None:
        """Simulate the adapter being unplugged: the port disappears; state is kept."""
        self.stop()

    def restore(self) -> Self:
        """Simulate the adapter coming back: a new pty (same ``link`` if one is set)."""
        self.parser.reset()
        return self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def corrupt_next_replies(self, count: int = 1) -> None:
        """Flip a bit in the next ``count`` replies, as line noise would."""
        with self.lock:
            self._corrupt_replies += count

    def send(self, frame: Frame) -> None:
        """Send a frame to the driver (an unsolicited event)."""
        self.send_raw(encode_frame(frame))

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are, e.g. a deliberately corrupted frame."""
        with self._write_lock:  # a press and a reply must not interleave their bytes
            self.line.write(data)

    def handle(self, frame: Frame) -> Iterable[Frame]:
        """Answer one valid frame from the driver; subclasses define the device."""
        raise NotImplementedError

    def _serve(self) -> None:
        master = self.line.master
        assert master is not None
        while not self._stop.is_set():
            ready, _, _ = select.select([master], [], [], POLL_INTERVAL)
            if not ready:
                if self.parser.pending:
                    self._dispatch(self.parser.expire())
                continue
            self._dispatch(self.parser.feed(os.read(master, 1024)))

    def _dispatch(self, frames: list[Frame]) -> None:
        for frame in frames:
            with self.lock:
                self.received.append(frame)
                replies = list(self.handle(frame))
            for reply in replies:
                self._reply(encode_frame(reply))

    def _reply(self, data: bytes) -> None:
        with self.lock:
            corrupt = self._corrupt_replies > 0
            self._corrupt_replies -= corrupt
        if corrupt:
            data = data[:-1] + bytes((data[-1] ^ 0x01,))
        self.send_raw(data)
