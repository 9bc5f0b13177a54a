"""Command-line options shared by the ``motcua-devices`` commands of framed serial devices."""

from __future__ import annotations

import argparse


def add_serial_arguments(parser: argparse.ArgumentParser) -> None:
    """``--port``, ``--baud`` and ``--timeout`` of a board or keypad bus."""
    parser.add_argument("--port", required=True, help="serial port, e.g. /dev/ttyUSB0")
    parser.add_argument("--baud", type=int, default=9600, help="baud rate (default 9600)")
    parser.add_argument("--timeout", type=float, default=0.5, help="ACK timeout in seconds")


def add_emulator_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the board and keypad emulators."""
    parser.add_argument(
        "--pty", action="store_true", default=True, help="serve on a pty (the default)"
    )
    parser.add_argument("--link", help="keep this symlink pointing at the pty, e.g. /tmp/ttyLED")
    parser.add_argument(
        "--addresses",
        type=parse_addresses,
        default=[1],
        help="comma-separated device addresses on the bus (default 1)",
    )


def parse_addresses(text: str) -> list[int]:
    """``"1,2,5"`` -> ``[1, 2, 5]``."""
    try:
        addresses = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of addresses: {text!r}") from exc
    if not addresses or not all(1 <= a <= 247 for a in addresses):
        raise argparse.ArgumentTypeError(f"addresses are 1..247: {text!r}")
    return addresses
