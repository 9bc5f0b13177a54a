"""The ESC/POS receipt printer driver: status check, whole job, status check.

A job is all-or-nothing from the caller's view: the printer is asked for its
status (``DLE EOT``) before the job and again after it, and any refusal, silence
or lost connection raises a typed error, so the queue never counts a ticket that
did not come out. A caller that asked the status itself just before (the kiosk's
ticket) sends the job with ``checked=True``, which skips only the check before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from drivers.errors import DeviceDisconnected, DeviceTimeout, DriverError
from drivers.printer.codepage import TextMode
from drivers.printer.connection import (
    Link,
    PrinterAddress,
    make_link,
    parse_printer_url,
    traffic,
    translate_error,
)
from drivers.printer.profiles import PaperProfile, paper_profile
from drivers.printer.status import QUERIED, STATUS_QUERY, PrinterStatus, decode_status
from drivers.printer.ticket_layout import (
    LABELS,
    Labels,
    SlipData,
    TicketData,
    build_slip,
    build_ticket,
)

log = logging.getLogger(__name__)

MAX_TIMEOUT = 5.0


class EscposPrinter:
    """A :class:`drivers.printer.base.Printer` speaking ESC/POS over any :class:`Link`."""

    def __init__(
        self,
        link: Link,
        profile: PaperProfile,
        *,
        where: str = "printer",
        timeout: float = MAX_TIMEOUT,
        labels: Labels = LABELS,
    ) -> None:
        if not 0 < timeout <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be in (0, {MAX_TIMEOUT}] seconds, not {timeout}")
        self.link = link
        self.profile = profile
        self.where = where
        self.timeout = timeout
        self.labels = labels
        self.is_open = False

    def open(self) -> None:
        with self._translated("open"):
            self.link.open()
        self.is_open = True

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            with self._translated("close"):
                self.link.close()

    def __enter__(self) -> Self:
        if not self.is_open:
            self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def status(self) -> PrinterStatus:
        """Ask the printer (``DLE EOT 1, 2, 4``); silence within the timeout is DeviceTimeout."""
        if not self.link.can_read:
            return PrinterStatus(online=True, verified=False)
        with self._translated("status"):
            self.link.discard_input()
            self._send(STATUS_QUERY)
            answers = self.link.read(len(QUERIED), self.timeout)
            traffic.debug("%s <- %s", self.where, answers.hex(" "))
        if len(answers) < len(QUERIED):
            raise DeviceTimeout(
                f"{self.where}: no status answer within {self.timeout:g} s "
                f"(got {answers!r}); check the cable, power and baud rate",
                message_vi="Máy in không phản hồi. Kiểm tra cáp, nguồn và tốc độ truyền.",
            )
        return decode_status(answers)

    def print_ticket(self, data: TicketData, *, checked: bool = False) -> None:
        self.print_job(build_ticket(data, self.profile, self.labels), checked=checked)

    def print_slip(self, data: SlipData) -> None:
        self.print_job(build_slip(data, self.profile, self.labels))

    def print_job(self, job: bytes, *, checked: bool = False) -> None:
        """Send prebuilt ESC/POS bytes between two status checks.

        ``checked``: the caller asked :meth:`status` just before and acted on it (the
        kiosk does, before it takes a number), so the job goes out without asking
        first. The check after is never skipped: a small ticket fits in the socket's
        or the serial port's buffer, so a printer that died mid-job shows only in
        the silence (or the fault) that answers it.
        """
        if not checked:
            self.status().raise_for_problem()
        with self._translated("print"):
            self._send(job)
        after = self.status()
        after.raise_for_problem()
        if after.paper_near_end:
            log.warning("%s: paper near end", self.where)

    def _send(self, data: bytes) -> None:
        traffic.debug("%s -> %d bytes: %s", self.where, len(data), data[:64].hex(" "))
        self.link.write(data)

    @contextmanager
    def _translated(self, action: str) -> Iterator[None]:
        """Turn OS, pyserial, pyusb and python-escpos errors into typed driver errors."""
        try:
            yield
        except DriverError as exc:
            self._forget_link(exc, action)
            raise
        except Exception as exc:
            error = translate_error(exc, f"{self.where} ({action})")
            self._forget_link(error, action)
            raise error from exc

    def _forget_link(self, error: DriverError, action: str) -> None:
        """Close a link that was lost or that a job stopped halfway through.

        The printer may be waiting for the rest of a raster, so the next job must
        not go down the same link: ``open()`` starts afresh.
        """
        if (isinstance(error, DeviceDisconnected) or action == "print") and self.is_open:
            self.is_open = False
            try:
                self.link.close()
            except Exception:  # the link is gone already; nothing more to release
                log.debug("%s: close after disconnect failed", self.where, exc_info=True)


def create_printer(
    url: str | PrinterAddress,
    paper: int = 80,
    *,
    model: str | None = None,
    timeout: float = MAX_TIMEOUT,
    labels: Labels = LABELS,
    text_mode: TextMode = "auto",
) -> EscposPrinter:
    """A printer for ``url`` (see :mod:`drivers.printer.connection`), not yet opened."""
    address = url if isinstance(url, PrinterAddress) else parse_printer_url(url)
    link = make_link(address, timeout)
    profile = paper_profile(paper, model, text_mode)
    return EscposPrinter(link, profile, where=str(address), timeout=timeout, labels=labels)


def open_printer(
    url: str | PrinterAddress,
    paper: int = 80,
    *,
    model: str | None = None,
    timeout: float = MAX_TIMEOUT,
    labels: Labels = LABELS,
    text_mode: TextMode = "auto",
) -> EscposPrinter:
    """Open the printer at ``url``; use it with ``with`` so it is closed again."""
    printer = create_printer(
        url, paper, model=model, timeout=timeout, labels=labels, text_mode=text_mode
    )
    printer.open()
    return printer
