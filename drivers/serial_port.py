"""Opening and closing a serial port the way every driver does.

Exclusively, so a second program gets "busy" instead of interleaving bytes on the
line; a port that did not open raises the one typed error for it
(:func:`drivers.errors.port_open_error`); closing a port that is already gone (the
adapter was unplugged) is not an error. :data:`LINE_FAULTS` is what a port that
goes away under a driver raises, for every driver to catch the same way.
"""

from __future__ import annotations

import logging
import termios
from collections.abc import Callable
from typing import Any

import serial

from drivers.errors import port_open_error

log = logging.getLogger(__name__)

LINE_FAULTS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
"""What reading, writing or draining a port raises when its cable is pulled.

pyserial wraps most of these as ``SerialException``, but ``flush()`` calls
``termios.tcdrain`` bare, and ``termios.error`` is no ``OSError``: missed, it
kills the thread that owns the port instead of reopening it.
"""


def open_exclusive(
    port: str, *, factory: Callable[..., Any] = serial.Serial, **options: Any
) -> Any:
    """``factory(port, exclusive=True, **options)``, its failure as a typed driver error.

    Any line fault, not only ``SerialException``: pyserial's ``open`` configures the
    port with bare ``termios`` and ``ioctl`` calls, which fail that way when an
    adapter bounces while it is plugged back in.
    """
    try:
        return factory(port, exclusive=True, **options)
    except LINE_FAULTS as exc:
        raise port_open_error(port, exc) from exc


def close_quietly(handle: Any, port: str) -> None:
    """Close ``handle``; a port that vanished may fail to close, which changes nothing."""
    try:
        handle.close()
    except LINE_FAULTS:
        log.debug("closing %s failed; it is gone already", port)
