"""The shared ``motcua-devices emulate <device>`` sub-command.

Every device family ships an emulator, and the technician starts any of them with
one command, ``motcua-devices emulate printer|scanner|board|keypad ...``. The
families register their ``commands.py`` modules independently, so nobody owns the
``emulate`` parser: the first family to call :func:`register_emulator` creates it
and the others add their device to it.

To add an emulator, call this from your family's ``register(subparsers)``::

    from drivers.emulate_command import register_emulator

    def register(subparsers):
        ...
        register_emulator(
            subparsers,
            "printer",
            add_arguments=_emulate_arguments,  # (parser) -> None: your options
            run=_emulate,                      # (args) -> int: start it, block until Ctrl-C
            help="ESC/POS printer on TCP or a pty",
        )

``run`` receives the parsed ``argparse.Namespace`` and returns the exit status,
like every other ``func`` of ``motcua-devices``.
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable
from typing import Any

AddArguments = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]

_DEVICES_ATTR = "_motcua_emulate_devices"
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def hold_stop_signals() -> None:
    """Keep Ctrl-C and SIGTERM pending from now on, in this thread and in every thread
    started after it, until :func:`wait_for_stop` takes one.

    Call it before starting the emulator: a stop that arrives during start-up, or
    lands in a device thread, then still ends the emulator cleanly at its wait."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def wait_for_stop() -> int:
    """Block until Ctrl-C or SIGTERM; return the signal number."""
    return signal.sigwait(STOP_SIGNALS)


def register_emulator(
    subparsers: Any,
    name: str,
    add_arguments: AddArguments,
    run: Run,
    help: str = "",
) -> argparse.ArgumentParser:
    """Add ``emulate <name>`` to the ``motcua-devices`` parser; return its parser."""
    emulate = subparsers.choices.get("emulate")
    if emulate is None:
        emulate = subparsers.add_parser(
            "emulate",
            help="start a device emulator (printer, scanner, board, keypad)",
            description="Start a device emulator speaking the same bytes as the hardware.",
        )
        setattr(emulate, _DEVICES_ATTR, emulate.add_subparsers(dest="device", required=True))
    device = getattr(emulate, _DEVICES_ATTR).add_parser(name, help=help, description=help)
    add_arguments(device)
    device.set_defaults(func=run)
    return device
