"""A receipt printer on 127.0.0.1 TCP and on a pty, for tests and the demo.

It parses what arrives (:mod:`drivers.printer.stream`), answers ``DLE EOT``
with the status bytes a real printer would send (:mod:`drivers.printer.status`),
and renders each job to a PNG (:mod:`drivers.printer.render`) with a JSON
sidecar. Faults are plain attributes, settable while it runs::

    with PrinterEmulator(out_dir=tmp_path, pty=True) as emulator:
        emulator.paper_out = True       # DLE EOT answers say "paper end"
        emulator.silent = True          # no status answers at all
        emulator.drop_after = 4000      # close the link after 4000 bytes
        emulator.bytes_per_second = 2000  # slow link
        open_printer(f"tcp://127.0.0.1:{emulator.port}")  # or f"serial://{emulator.pty_path}"

A job's ``status_queries`` are the ``DLE EOT n`` received on its link since the
previous job ended, up to its cut: the check before the job, not the one after
(that one counts for the next job; all of them are in ``emulator.status_queries``).
"""

from __future__ import annotations

import json
import logging
import os
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from PIL import Image

from drivers.printer.codepage import model_pages
from drivers.printer.profiles import paper_profile
from drivers.printer.render import render_job
from drivers.printer.status import PrinterStatus, encode_status
from drivers.printer.stream import EscPosParser, ParsedJob
from drivers.pty_line import PtyLine

log = logging.getLogger(__name__)

POLL_S = 0.05
STOP_S = 2.0
CHUNK = 4096


@dataclass(slots=True)
class EmulatedJob:
    """One job as printed: what a test or a technician checks."""

    number: int
    link: str
    parsed: ParsedJob = field(repr=False)
    image: Image.Image = field(repr=False)
    raster_boxes: list[tuple[int, int, int, int]]
    qr_payloads: list[str]
    printed: bool
    png_path: Path | None = None

    @property
    def text(self) -> str:
        return self.parsed.text

    @property
    def cut(self) -> bool:
        return self.parsed.cut

    @property
    def status_queries(self) -> list[int]:
        return self.parsed.status_queries

    def summary(self) -> dict[str, object]:
        return {
            "job": self.number,
            "link": self.link,
            "text": self.text.splitlines(),
            "qr_payloads": self.qr_payloads,
            "barcodes": self.parsed.barcodes,
            "cut": self.cut,
            "printed": self.printed,
            "status_queries": self.status_queries,
            "rasters": [list(box) for box in self.raster_boxes],
            "bytes": self.parsed.byte_count,
            "unknown_commands": self.parsed.unknown_commands,
        }


class _Channel(Protocol):
    name: str

    def receive(self, limit: int) -> bytes | None:
        """Bytes, ``b""`` at end of stream, None if nothing arrived within :data:`POLL_S`."""
        ...

    def send(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class _TcpChannel:
    def __init__(self, connection: socket.socket, peer: str) -> None:
        self.name = f"tcp {peer}"
        self._socket = connection
        self._socket.settimeout(POLL_S)
        # Status answers are single bytes and must leave at once, as a printer's do.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def receive(self, limit: int) -> bytes | None:
        try:
            return self._socket.recv(limit)
        except TimeoutError:
            return None
        except OSError:
            return b""

    def send(self, data: bytes) -> None:
        try:
            self._socket.sendall(data)
        except OSError:
            log.info("%s: client went away before the status answer", self.name)

    def close(self) -> None:
        self._socket.close()


class _PtyChannel:
    """The printer's end of a pty; the driver opens :attr:`path` like a serial port."""

    def __init__(self) -> None:
        self.line = PtyLine()
        self.line.open()
        self.path = self.line.path
        self.name = f"pty {self.path}"

    def receive(self, limit: int) -> bytes | None:
        master = self.line.master
        if master is None:
            return b""
        readable, _, _ = select.select([master], [], [], POLL_S)
        if not readable:
            return None
        try:
            return os.read(master, limit)
        except OSError:
            return b""

    def send(self, data: bytes) -> None:
        self.line.write(data)

    def close(self) -> None:
        """Unplug: the driver's side now fails with EIO."""
        self.line.close()


class PrinterEmulator:
    """An ESC/POS printer on TCP (``.port``) and/or a pty (``.pty_path``)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tcp: bool = True,
        pty: bool = False,
        out_dir: str | Path | None = None,
        paper: int = 80,
        model: str | None = None,
        idle_flush: float = 0.5,
    ) -> None:
        self.host = host
        self.port = port
        self.tcp = tcp
        self.use_pty = pty
        self.out_dir = Path(out_dir) if out_dir is not None else None
        profile = paper_profile(paper, model)
        #: The python-escpos profile emulated: its head width and its code pages.
        self.model = profile.model
        self.paper_dots = profile.width_dots
        self.idle_flush = idle_flush
        self.offline = False
        self.cover_open = False
        self.paper_out = False
        self.paper_near_end = False
        self.silent = False
        self.status_delay = 0.0
        self.bytes_per_second: float | None = None
        self.drop_after: int | None = None
        self.jobs: list[EmulatedJob] = []
        self.status_queries: list[int] = []
        self.dropped_links = 0
        self.pty_path: str | None = None
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: socket.socket | None = None
        self._pty: _PtyChannel | None = None

    @property
    def status(self) -> PrinterStatus:
        return PrinterStatus(
            online=not (self.offline or self.cover_open or self.paper_out),
            cover_open=self.cover_open,
            paper_out=self.paper_out,
            paper_near_end=self.paper_near_end,
        )

    def start(self) -> Self:
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.tcp:
            self._server = socket.create_server((self.host, self.port))
            self._server.settimeout(POLL_S)
            self.port = self._server.getsockname()[1]
            self._spawn(self._accept, "printer-emulator-accept")
        if self.use_pty:
            self._pty = _PtyChannel()
            self.pty_path = self._pty.path
            self._spawn(self._serve, "printer-emulator-pty", self._pty)
        return self

    def stop(self) -> None:
        """Stop accepting, let every link thread see the stop, then unplug; bounded
        to :data:`STOP_S` in all, however many links are open."""
        self._stopping.set()
        deadline = time.monotonic() + STOP_S
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self._server is not None:
            self._server.close()
        if self._pty is not None:
            self._pty.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[EmulatedJob]:
        """The first ``count`` jobs, waiting at most ``timeout`` s; fewer if they never came."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.jobs) >= count, timeout)
            return self.jobs[:count]

    def _spawn(self, target: Callable[..., object], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        assert self._server is not None
        while not self._stopping.is_set():
            try:
                connection, peer = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            channel = _TcpChannel(connection, f"{peer[0]}:{peer[1]}")
            self._spawn(self._serve, "printer-emulator-tcp", channel)

    def _serve(self, channel: _Channel) -> None:
        parser = EscPosParser(
            on_job=lambda job: self._record(job, channel.name),
            on_status=lambda n: self._answer(channel, n),
            pages=model_pages(self.model),
        )
        received = 0
        last_data = time.monotonic()
        try:
            while not self._stopping.is_set():
                data = channel.receive(CHUNK)
                if data is None:
                    if parser.in_job and time.monotonic() - last_data > self.idle_flush:
                        parser.flush()
                    continue
                if not data:
                    parser.flush()
                    return
                if self.drop_after is not None and received + len(data) > self.drop_after:
                    parser.feed(data[: self.drop_after - received])
                    log.info("%s: simulating a pulled cable", channel.name)
                    self.dropped_links += 1
                    return
                received += len(data)
                last_data = time.monotonic()
                parser.feed(data)
                if self.bytes_per_second:
                    time.sleep(len(data) / self.bytes_per_second)
        finally:
            channel.close()

    def _answer(self, channel: _Channel, n: int) -> None:
        with self._changed:
            self.status_queries.append(n)
        if self.silent:
            return
        if self.status_delay:
            time.sleep(self.status_delay)
        channel.send(encode_status(self.status, n))

    def _record(self, parsed: ParsedJob, link: str) -> None:
        rendered = render_job(parsed, self.paper_dots)
        with self._changed:
            job = EmulatedJob(
                number=len(self.jobs) + 1,
                link=link,
                parsed=parsed,
                image=rendered.image,
                raster_boxes=rendered.raster_boxes,
                qr_payloads=parsed.qr_payloads + rendered.image_qr_payloads,
                printed=self.status.problem() is None,
            )
            if self.out_dir is not None:
                job.png_path = self.out_dir / f"{job.number}.png"
                rendered.image.save(job.png_path)
                summary = json.dumps(job.summary(), ensure_ascii=False, indent=2)
                partial = self.out_dir / f".{job.number}.json.partial"
                partial.write_text(summary, encoding="utf-8")
                partial.replace(self.out_dir / f"{job.number}.json")  # readers never see half
            self.jobs.append(job)
            self._changed.notify_all()
