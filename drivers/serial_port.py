"""Opening, closing and reopening a serial port the way every driver does.

Exclusively, so a second program gets "busy" instead of interleaving bytes on the
line; a port that did not open raises the one typed error for it
(:func:`drivers.errors.port_open_error`); closing a port that is already gone (the
adapter was unplugged) is not an error. :data:`LINE_FAULTS` is what a port that
goes away under a driver raises, for every driver to catch the same way.
"""

from __future__ import annotations

import logging
import termios
import time
from collections.abc import Callable
from typing import Any, TypeVar

import serial

from device_kit.backoff import Backoff
from drivers.errors import DriverError, port_open_error

log = logging.getLogger(__name__)
T = TypeVar("T")

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


def retry_with_backoff(
    action: Callable[[], T],
    *,
    attempts: int = 10,
    initial: float = 0.2,
    maximum: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``action`` until it stops raising :class:`DriverError`; re-raise the last error.

    Used to reopen a port that vanished: the caller decides how long to keep trying.
    """
    delays = Backoff(initial, maximum)
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except DriverError as exc:
            if attempt == attempts:
                raise
            delay = next(delays)
            log.info("attempt %d failed (%s); retrying in %.1f s", attempt, exc, delay)
            sleep(delay)
    raise ValueError("attempts must be at least 1")
