"""``motcua-devices`` printer commands: test-print, printer-status, list-printers, emulate."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from drivers.emulate_command import hold_stop_signals, register_emulator, wait_for_stop
from drivers.printer.codepage import TEXT_MODES
from drivers.printer.connection import PrinterAddress, parse_printer_url
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposPrinter, open_printer
from drivers.printer.profiles import DEFAULT_MODELS
from drivers.printer.status import PrinterStatus
from drivers.printer.ticket_layout import TicketData

SAMPLE_TICKET = TicketData(
    centre_name="Trung tâm Phục vụ hành chính công",
    service_name="Đăng ký kinh doanh",
    number="A023",
    issued_at=datetime(2026, 1, 5, 8, 30),
    tracking_url="http://127.0.0.1:8000/t/A023",
    people_ahead=4,
    priority_label=None,
    hotline="1900 0000",
)


def register(subparsers: Any) -> None:
    test_print = subparsers.add_parser(
        "test-print", help="print a sample queue ticket (Vietnamese service name)"
    )
    _printer_arguments(test_print)
    test_print.set_defaults(func=_test_print)

    status = subparsers.add_parser("printer-status", help="ask a printer for its status")
    _printer_arguments(status)
    status.set_defaults(func=_printer_status)

    listing = subparsers.add_parser("list-printers", help="list USB printers and serial ports")
    listing.set_defaults(func=_list_printers)

    register_emulator(
        subparsers,
        "printer",
        add_arguments=_emulate_arguments,
        run=_emulate,
        help="ESC/POS receipt printer on 127.0.0.1 TCP and/or a pty",
    )


def _printer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--printer",
        required=True,
        type=_printer_url,
        metavar="URL",
        help="tcp://HOST:9100, serial:///dev/ttyUSB0?baudrate=19200, usb://0xVID:0xPID, "
        "file:///PATH",
    )
    parser.add_argument("--paper", type=int, choices=sorted(DEFAULT_MODELS), default=80)
    parser.add_argument("--model", help="python-escpos printer profile, e.g. TM-T88V (512 dots)")
    parser.add_argument(
        "--text-mode",
        choices=TEXT_MODES,
        default="auto",
        help="Vietnamese as code-page text where the model has a page (auto), or as images",
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds, at most 5")


def _printer_url(value: str) -> PrinterAddress:
    try:
        return parse_printer_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _open(args: argparse.Namespace) -> EscposPrinter:
    return open_printer(
        args.printer,
        args.paper,
        model=args.model,
        timeout=args.timeout,
        text_mode=args.text_mode,
    )


def describe(status: PrinterStatus) -> str:
    """One line for the technician, Vietnamese then English."""
    if not status.verified:
        return "Không đọc được trạng thái (máy in chỉ ghi) / status unknown (write-only link)"
    problem = status.problem()
    line = "Sẵn sàng / ready" if problem is None else f"{problem.message_vi} / {problem}"
    if status.paper_near_end:
        line += "; sắp hết giấy / paper near end"
    return line


def _test_print(args: argparse.Namespace) -> int:
    with _open(args) as printer:
        printer.print_ticket(SAMPLE_TICKET)
    print(f"Đã in phiếu mẫu {SAMPLE_TICKET.number} / sample ticket printed on {args.printer}")
    return 0


def _printer_status(args: argparse.Namespace) -> int:
    with _open(args) as printer:
        status = printer.status()
    print(describe(status))
    return 0 if status.problem() is None else 1


def _list_printers(args: argparse.Namespace) -> int:
    from serial.tools import list_ports

    for port in sorted(list_ports.comports(), key=lambda port: port.device):
        print(f"serial://{port.device}\t{port.description}")
    for url, name in _usb_printers():
        print(f"{url}\t{name}")
    return 0


USB_PRINTER_CLASS = 7


def _usb_printers() -> list[tuple[str, str]]:
    """USB devices with a printer-class interface; empty when pyusb or libusb is missing."""
    try:
        import usb.core
    except ImportError:
        return []
    try:
        devices = list(usb.core.find(find_all=True))
    except usb.core.NoBackendError:
        return []
    found = []
    for device in devices:
        interfaces = [interface.bInterfaceClass for config in device for interface in config]
        if USB_PRINTER_CLASS in interfaces:
            url = f"usb://0x{device.idVendor:04x}:0x{device.idProduct:04x}"
            found.append((url, f"USB printer {device.idVendor:04x}:{device.idProduct:04x}"))
    return found


def _emulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tcp", metavar="HOST:PORT", default="127.0.0.1:9100", help="listen here (port 0: any)"
    )
    parser.add_argument("--no-tcp", action="store_true", help="only the pty")
    parser.add_argument("--pty", action="store_true", help="also serve a pty serial device")
    parser.add_argument("--out", type=Path, required=True, help="write <n>.png and <n>.json here")
    parser.add_argument("--paper", type=int, choices=sorted(DEFAULT_MODELS), default=80)
    parser.add_argument("--model", help="python-escpos profile to emulate (head width, code pages)")


def _emulate(args: argparse.Namespace) -> int:
    host, _, port = args.tcp.rpartition(":")
    if host != "127.0.0.1":
        raise SystemExit("the emulator listens on 127.0.0.1 only")
    hold_stop_signals()
    emulator = PrinterEmulator(
        host=host,
        port=int(port),
        tcp=not args.no_tcp,
        pty=args.pty,
        out_dir=args.out,
        paper=args.paper,
        model=args.model,
    )
    with emulator:
        if emulator.tcp:
            print(f"tcp://127.0.0.1:{emulator.port}", flush=True)
        if emulator.pty_path:
            print(f"serial://{emulator.pty_path}", flush=True)
        print(f"Jobs go to {args.out}/<n>.png and <n>.json; Ctrl-C to stop", flush=True)
        wait_for_stop()
    return 0
