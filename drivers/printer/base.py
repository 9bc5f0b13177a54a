"""The printer interface the kiosk programs against, whatever the hardware."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from drivers.printer.status import PrinterStatus
from drivers.printer.ticket_layout import SlipData, TicketData


@runtime_checkable
class Printer(Protocol):
    """A receipt printer.

    ``print_ticket`` and ``print_slip`` return only when the printer accepted the
    whole job and reported itself ready afterwards; otherwise they raise a
    :class:`drivers.errors.DriverError` subclass and the ticket must be treated as
    not printed (kept as ``print_failed``, reprintable). ``print_ticket(checked=True)``
    is for a caller that asked :meth:`status` just before: the printer is not asked
    again, before or after, and the call returns once the whole job was sent.
    """

    def open(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def status(self) -> PrinterStatus: ...

    def print_ticket(self, data: TicketData, *, checked: bool = False) -> None: ...

    def print_slip(self, data: SlipData) -> None: ...
