"""``motcua-devices`` scanner commands: ``scan``, ``list-cameras``, ``emulate scanner``."""

from __future__ import annotations

import argparse
import os
import select
import sys
import termios
import threading
import time
import tty
from collections.abc import Callable
from typing import Any, TextIO

from drivers.emulate_command import register_emulator
from drivers.errors import DriverError
from drivers.scanner import Scan, open_scanner
from drivers.scanner.emulator import SerialScannerEmulator
from drivers.scanner.wedge import WedgeScanner

TERMINATORS = {"crlf": b"\r\n", "cr": b"\r", "lf": b"\n"}


def register(subparsers: Any) -> None:
    scan = subparsers.add_parser(
        "scan",
        help="print what a scanner reads",
        description="Print each scan until Ctrl-C (payloads may hold ID numbers: see --redact).",
    )
    device = scan.add_mutually_exclusive_group(required=True)
    device.add_argument("--camera", type=int, metavar="INDEX", help="camera index, e.g. 0")
    device.add_argument("--serial", metavar="PORT", help="serial port, e.g. /dev/ttyACM0")
    device.add_argument(
        "--wedge", action="store_true", help="keyboard-mode scanner typing into this terminal"
    )
    scan.add_argument("--baud", type=int, default=9600, help="serial baud rate (default 9600)")
    scan.add_argument("--redact", action="store_true", help="print payload lengths only")
    scan.add_argument("--count", type=int, help="stop after this many scans")
    scan.add_argument("--seconds", type=float, help="stop after this many seconds")
    scan.set_defaults(func=scan_command)

    cameras = subparsers.add_parser("list-cameras", help="list cameras that deliver frames")
    cameras.set_defaults(func=list_cameras_command)

    register_emulator(
        subparsers,
        "scanner",
        add_arguments=_emulate_arguments,
        run=emulate_scanner,
        help="serial barcode scanner on a pty; each stdin line is scanned",
    )


def scanner_config(args: argparse.Namespace) -> str:
    if args.camera is not None:
        return f"camera:{args.camera}"
    if args.serial:
        return f"serial://{args.serial}?baudrate={args.baud}"
    return "wedge"


def format_scan(scan: Scan, redact: bool) -> str:
    shown = f"<{len(scan.payload)} ký tự / characters>" if redact else scan.payload
    return f"[{scan.source}] {shown}"


def scan_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    deadline = time.monotonic() + args.seconds if args.seconds is not None else float("inf")
    count = 0

    def show_error(error: DriverError | None) -> None:
        if error is None:
            print("ok: the scanner is back / máy quét đã kết nối lại", file=sys.stderr, flush=True)
        else:
            print(f"{error.code}: {error}\n{error.message_vi}", file=sys.stderr, flush=True)

    with open_scanner(scanner_config(args), on_error=show_error) as scanner:
        if isinstance(scanner, WedgeScanner):
            print("Quét mã vào cửa sổ này / scan into this terminal (Ctrl-C to stop)", file=out)
            feed_terminal_keys(scanner.key, lambda: time.monotonic() >= deadline)
        else:
            print(f"Đang chờ quét / waiting for scans on {scanner.source}", file=out)
        while time.monotonic() < deadline and (args.count is None or count < args.count):
            scan = scanner.read(timeout=min(0.5, max(0.0, deadline - time.monotonic())))
            if scan is None:
                if scanner.closed:
                    break
                continue
            count += 1
            print(format_scan(scan, args.redact), file=out, flush=True)
    return 0


def feed_terminal_keys(key: Callable[[str], bool], done: Callable[[], bool]) -> None:
    """Start a thread passing each key typed on the terminal, unbuffered, to ``key``."""

    def pump() -> None:
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd) if os.isatty(fd) else None
        if saved is not None:
            tty.setcbreak(fd)
        try:
            while not done():
                ready, _, _ = select.select([fd], [], [], 0.2)
                if not ready:
                    continue
                data = os.read(fd, 64)
                if not data:
                    return
                for char in data.decode("utf-8", errors="ignore"):
                    key(char)
        finally:
            if saved is not None:
                termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    threading.Thread(target=pump, name="wedge-keys", daemon=True).start()


def list_cameras_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from drivers.scanner.camera import list_cameras

    cameras = list_cameras()
    if not cameras:
        print("Không tìm thấy camera / no camera found", file=out)
        return 1
    for index, width, height in cameras:
        print(f"camera {index}: /dev/video{index} {width}x{height}", file=out)
    return 0


def _emulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pty", action="store_true", default=True, help="serve on a pty (the default)"
    )
    parser.add_argument("--link", help="keep this symlink pointing at the pty, e.g. /tmp/ttySCAN")
    parser.add_argument(
        "--terminator",
        choices=sorted(TERMINATORS),
        default="crlf",
        help="what the scanner sends after each payload (default crlf)",
    )


def emulate_scanner(
    args: argparse.Namespace, lines: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> int:
    """Print the port, then scan each stdin line until end of input or Ctrl-C."""
    with SerialScannerEmulator(link=args.link) as emulator:
        print(emulator.port, file=out, flush=True)
        for line in lines:
            payload = line.rstrip("\r\n")
            if payload:
                emulator.scan(payload, TERMINATORS[args.terminator])
    return 0
