"""``motcua-devices``: the technician's tool for the devices of a centre.

Each device family owns its sub-commands in ``drivers/<family>/commands.py``
with a ``register(subparsers)`` function; this module only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from drivers.errors import DriverError
from drivers.logging_setup import configure_logging

COMMAND_MODULES = (
    "drivers.printer.commands",
    "drivers.scanner.commands",
    "drivers.led.commands",
    "drivers.keypad.commands",
    "drivers.audio.commands",
    "drivers.server_check",
)
PRODUCT_PACKAGES = ("drivers", "device_kit")


def build_parser() -> argparse.ArgumentParser:
    """Every family whose libraries this box has: a box installs only its role's
    (a board has no camera or printer stack), so the others are named, not offered."""
    parser = argparse.ArgumentParser(prog="motcua-devices", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log device traffic")
    subparsers = parser.add_subparsers(dest="command", required=True)
    absent = []
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] in PRODUCT_PACKAGES:
                raise
            absent.append(f"{name.split('.')[1]} (needs {exc.name})")
            continue
        module.register(subparsers)
    if absent:
        parser.epilog = "Not installed for this box's role: " + ", ".join(absent)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(logging.DEBUG if args.verbose else logging.INFO, traffic=args.verbose)
    try:
        return int(args.func(args) or 0)
    except DriverError as exc:
        print(f"{exc.code}: {exc}\n{exc.message_vi}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
