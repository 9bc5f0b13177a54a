"""Receipt printers: ESC/POS queue tickets and dossier slips in Vietnamese.

Public interface (stable; the kiosk uses only this)::

    from drivers.printer import open_printer, TicketData, SlipData

    with open_printer("tcp://192.168.1.50:9100", paper=80) as printer:
        printer.print_ticket(TicketData(
            centre_name="Trung tâm Phục vụ hành chính công", service_name="Đăng ký kinh doanh",
            number="A023", issued_at=now, tracking_url=url, people_ahead=4,
            priority_label=None, hotline="1900 0000"))
        printer.status()            # PrinterStatus(online, cover_open, paper_out, paper_near_end)

- ``open_printer(url, paper=80, *, model=None, timeout=5.0) -> Printer`` opens the
  printer; URLs: ``tcp://HOST[:9100]``, ``serial:///dev/ttyUSB0?baudrate=19200``,
  ``usb://0x0416:0x5011``, ``file:///path/out.bin`` (write-only, status unverified).
  ``paper`` is 58 (384 dots) or 80 (576 dots); ``model="TM-T88V"`` picks another
  python-escpos profile (512-dot 80 mm heads). ``text_mode="auto"`` (default) prints
  Vietnamese as text in the model's code page (TCVN-3, else CP1258) where its profile
  declares one, ``"raster"`` always as images, ``"codepage"`` insists on text
  (:mod:`drivers.printer.codepage`). ``create_printer`` is the same, unopened.
- ``print_ticket`` / ``print_slip`` check the status before and after the job and
  raise a :class:`drivers.errors.DriverError` subclass (PaperOut, CoverOpen,
  PrinterOffline, DeviceTimeout, DeviceDisconnected, DeviceNotFound, DeviceBusy,
  DevicePermission, ProtocolError, FontMissing) when the ticket may not have
  printed; returning normally means it did. Every wait is bounded (at most 5 s).
- Emulator for tests and demos: ``from drivers.printer.emulator import PrinterEmulator``;
  ``PrinterEmulator(out_dir=..., pty=True, paper=80, model=None).start()`` (it reads the
  model's code pages) gives ``.port``, ``.pty_path``,
  ``.jobs`` (each with ``.text``, ``.qr_payloads``, ``.png_path``, ``.cut``,
  ``.status_queries``), settable faults ``.offline``, ``.cover_open``, ``.paper_out``,
  ``.paper_near_end``, ``.silent``, ``.status_delay``, ``.bytes_per_second``,
  ``.drop_after``; and ``stop()`` (or use it with ``with``).
"""

from drivers.printer.base import Printer
from drivers.printer.escpos_printer import EscposPrinter, create_printer, open_printer
from drivers.printer.status import PrinterStatus
from drivers.printer.ticket_layout import Labels, SlipData, TicketData

__all__ = [
    "EscposPrinter",
    "Labels",
    "Printer",
    "PrinterStatus",
    "SlipData",
    "TicketData",
    "create_printer",
    "open_printer",
]
