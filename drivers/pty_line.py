"""A serial line's device end on a pseudo-terminal: what every emulator plugs in.

A driver opens :attr:`PtyLine.path` exactly as it opens ``/dev/ttyUSB0``; the
emulator reads and writes :attr:`PtyLine.master`. :meth:`PtyLine.close` pulls the
cable (the driver's next read or write fails with EIO), and opening again plugs it
back on a new ``/dev/pts/N``, which a ``link`` keeps under one name, as udev does
with ``/dev/serial/by-id/``.
"""

from __future__ import annotations

import errno
import os
import pty
import tty
from pathlib import Path


class PtyLine:
    """One pty pair, raw, with an optional symlink kept pointing at its device end."""

    def __init__(self, link: str | Path | None = None) -> None:
        self.link = Path(link) if link is not None else None
        self.master: int | None = None
        self.device = ""  # the pty's own /dev/pts/N
        self._slave: int | None = None

    @property
    def path(self) -> str:
        """What a driver opens: the symlink when one was asked for, else the pty."""
        return str(self.link) if self.link is not None else self.device

    def open(self) -> None:
        self.master, self._slave = pty.openpty()
        # Raw, so the line discipline neither echoes nor rewrites CR and LF.
        tty.setraw(self._slave)
        self.device = os.ttyname(self._slave)
        if self.link is not None:
            self.link.unlink(missing_ok=True)
            self.link.symlink_to(self.device)

    def write(self, data: bytes) -> None:
        if self.master is None:
            raise OSError(errno.EIO, "the emulated device is unplugged")
        os.write(self.master, data)

    def close(self) -> None:
        for fd in (self.master, self._slave):
            if fd is not None:
                os.close(fd)
        self.master = self._slave = None
        if self.link is not None:
            self.link.unlink(missing_ok=True)
