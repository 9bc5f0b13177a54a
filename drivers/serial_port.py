"""Opening and closing a serial port the way every driver does.

Exclusively, so a second program gets "busy" instead of interleaving bytes on the
line; a port that did not open raises the one typed error for it
(:func:`drivers.errors.port_open_error`); closing a port that is already gone (the
adapter was unplugged) is not an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import serial

from drivers.errors import port_open_error

log = logging.getLogger(__name__)


def open_exclusive(
    port: str, *, factory: Callable[..., Any] = serial.Serial, **options: Any
) -> Any:
    """``factory(port, exclusive=True, **options)``, its failure as a typed driver error."""
    try:
        return factory(port, exclusive=True, **options)
    except serial.SerialException as exc:
        raise port_open_error(port, exc) from exc


def close_quietly(handle: Any, port: str) -> None:
    """Close ``handle``; a port that vanished may fail to close, which changes nothing."""
    try:
        handle.close()
    except (serial.SerialException, OSError):
        log.debug("closing %s failed; it is gone already", port)
