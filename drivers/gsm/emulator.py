"""An emulated GSM modem on a pty: SMS text mode, +CMTI indications, send, delete.

Tests and the demo ``deliver`` messages to it as if from a phone and read what
the host sent back in ``sent``.
"""

from __future__ import annotations

import os
import re
import select
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from drivers.pty_line import PtyLine

POLL_INTERVAL = 0.05
STAMP = "25/11/26,09:00:00+28"


@dataclass
class Stored:
    sender: str
    text: str
    unread: bool = True


class GsmModemEmulator:
    def __init__(self, link: str | Path | None = None) -> None:
        """``link``: one path for the modem across :meth:`vanish` and :meth:`restore`."""
        self.line = PtyLine(link)
        self.storage: dict[int, Stored] = {}
        self.sent: list[tuple[str, str]] = []
        self.commands: list[str] = []
        self.echo = True
        self.text_mode = False
        self.indications = False
        #: What the network answers a message instead of sending it (e.g. ``+CMS ERROR: 42``
        #: when the SIM has no credit); None sends.
        self.refusal: str | None = None
        self._compose_to: str | None = None
        self._input = b""
        self._next_index = 1
        self._ref = 0
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._sent_event = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def path(self) -> str:
        return self.line.path

    def start(self) -> Self:
        self.line.open()
        self._input = b""
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="gsm-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.line.close()

    def vanish(self) -> None:
        """The modem is pulled out: the host's next read or write fails; the SIM's
        messages stay, as they do on a real SIM."""
        self.stop()

    def restore(self) -> Self:
        """The modem is plugged back (a new pty; the same ``link`` if one was given),
        with its power-on settings: the host must set it up again."""
        self.echo, self.text_mode, self.indications = True, False, False
        self._compose_to = None
        return self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def deliver(self, sender: str, text: str) -> int:
        """A message arrives from ``sender``; announced with +CMTI when enabled."""
        with self._lock:
            index = self._next_index
            self._next_index += 1
            self.storage[index] = Stored(sender, text)
            announce = self.indications
        if announce:
            self._write(f'\r\n+CMTI: "SM",{index}\r\n')
        return index

    def wait_sent(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` messages were sent by the host (bounded)."""
        with self._sent_event:
            return self._sent_event.wait_for(lambda: len(self.sent) >= count, timeout)

    def _write(self, text: str) -> None:
        with self._write_lock:  # an indication and an answer must not interleave
            self.line.write(text.encode("latin-1", errors="replace"))

    def _serve(self) -> None:
        master = self.line.master
        assert master is not None
        while not self._stop.is_set():
            ready, _, _ = select.select([master], [], [], POLL_INTERVAL)
            if ready:
                self._input += os.read(master, 1024)
                self._consume()

    def _consume(self) -> None:
        while True:
            if self._compose_to is not None:
                if b"\x1b" in self._input:
                    self._input = self._input.split(b"\x1b", 1)[1]
                    self._compose_to = None
                    self._write("\r\nOK\r\n")
                    continue
                if b"\x1a" not in self._input:
                    return
                body, self._input = self._input.split(b"\x1a", 1)
                self._finish_send(body.decode("latin-1"))
                continue
            if b"\r" not in self._input:
                return
            raw, self._input = self._input.split(b"\r", 1)
            line = raw.decode("latin-1").strip()
            if not line:
                continue
            if self.echo:
                self._write(line + "\r")
            self.commands.append(line)
            self._write(self._answer(line))

    def _finish_send(self, text: str) -> None:
        if self.refusal is not None:
            self._compose_to = None
            self._write(f"\r\n{self.refusal}\r\n")
            return
        with self._sent_event:
            self.sent.append((self._compose_to or "", text))
            self._ref = (self._ref + 1) % 256
            self._sent_event.notify_all()
        self._compose_to = None
        self._write(f"\r\n+CMGS: {self._ref}\r\n\r\nOK\r\n")

    def _answer(self, line: str) -> str:
        ok, error = "\r\nOK\r\n", "\r\nERROR\r\n"
        upper = line.upper()
        if upper in ("AT", 'AT+CSCS="GSM"'):
            return ok
        if upper in ("ATE0", "ATE1"):
            self.echo = upper == "ATE1"
            return ok
        if upper == "AT+CMGF=1":
            self.text_mode = True
            return ok
        if upper == "AT+CNMI=2,1,0,0,0":
            self.indications = True
            return ok
        if not self.text_mode and upper.startswith(("AT+CMGR", "AT+CMGS", "AT+CMGL")):
            return "\r\n+CMS ERROR: 302\r\n"
        if match := re.fullmatch(r"AT\+CMGR=(\d+)", upper):
            return self._read(int(match.group(1)))
        if match := re.fullmatch(r"AT\+CMGD=(\d+)", upper):
            with self._lock:
                self.storage.pop(int(match.group(1)), None)
            return ok
        if match := re.fullmatch(r'AT\+CMGL="(REC UNREAD|REC READ)"', upper):
            return self._list(match.group(1))
        if match := re.fullmatch(r'AT\+CMGS="(\+?\d+)"', upper):
            self._compose_to = match.group(1)
            return "\r\n> "
        return error

    def _read(self, index: int) -> str:
        with self._lock:
            stored = self.storage.get(index)
            if stored is None:
                return "\r\nOK\r\n"
            state = "REC UNREAD" if stored.unread else "REC READ"
            stored.unread = False
        return f'\r\n+CMGR: "{state}","{stored.sender}",,"{STAMP}"\r\n{stored.text}\r\n\r\nOK\r\n'

    def _list(self, state: str) -> str:
        unread = state == "REC UNREAD"
        with self._lock:
            listed = [(i, s) for i, s in sorted(self.storage.items()) if s.unread == unread]
            for _, stored in listed:
                stored.unread = False
        listing = "".join(
            f'\r\n+CMGL: {i},"{state}","{s.sender}",,"{STAMP}"\r\n{s.text}' for i, s in listed
        )
        return f"{listing}\r\n\r\nOK\r\n"
