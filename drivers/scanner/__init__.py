"""Scanners: camera, serial and keyboard-wedge, all delivering one stream of :class:`Scan`.

Public interface (used by the kiosk)::

    from drivers.scanner import Scan, open_scanner

    with open_scanner("camera:0", on_scan=handle) as scanner:  # handle(Scan) on the reader thread
        ...
    scanner = open_scanner("serial:///dev/ttyACM0?baudrate=9600")
    scan = scanner.read(timeout=1.0)  # Scan | None; raises a DriverError if the device failed
    scanner.close()

    wedge = open_scanner("wedge")     # a WedgeScanner: feed it keys from the UI
    wedge.key(char, at=None)          # Enter is "\\r" or "\\n"

    from drivers.scanner.camera import CameraScanner
    CameraScanner(frame_source, on_scan=handle)  # any object with open(), read(), close()
    scanner.latest_frame()            # last BGR frame (read-only numpy array) for a live preview

A ``Scan`` has ``payload`` (str), ``source`` (``camera:0``, ``serial:/dev/ttyACM0``,
``wedge``) and ``time`` (``time.monotonic()`` seconds unless a clock is given).
The same payload from the same source within 2 s is delivered once. Payloads may
carry a citizen ID number: never log or display them; ``repr(scan)`` shows only
the length. Device failures are ``drivers.errors`` types (``DeviceNotFound``,
``DeviceBusy``, ``DevicePermission`` when opening; ``DeviceDisconnected`` later),
passed to ``on_error``; a serial scanner opened here reconnects by itself.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from drivers.scanner.base import ErrorCallback, Scan, ScanCallback, ScanSource, ScanStream

__all__ = ["Scan", "ScanSource", "ScanStream", "open_scanner"]


def open_scanner(
    config: str,
    on_scan: ScanCallback | None = None,
    *,
    on_error: ErrorCallback | None = None,
) -> ScanStream:
    """Build and open the scanner a configuration string names.

    ``camera`` or ``camera:<index>``; ``serial:///dev/ttyACM0?baudrate=9600`` (or
    ``serial:/dev/ttyACM0``; a serial scanner reopens a vanished port every
    second, ``reconnect=<seconds>``, ``reconnect=0`` to stop with the error
    instead); ``wedge``. Raises ValueError for anything else.
    """
    kind, _, rest = config.strip().partition(":")
    scanner: ScanStream
    if kind == "camera":
        from drivers.scanner.camera import CameraScanner

        if rest and not rest.isdigit():
            raise ValueError(f"camera index must be a number: {config!r}")
        scanner = CameraScanner(int(rest or 0), on_scan, on_error=on_error)
    elif kind == "serial":
        from drivers.scanner.serial_scanner import SerialScanner

        url = urlsplit(config)
        port = url.path
        query = parse_qs(url.query)
        if not port:
            raise ValueError(f"serial scanner needs a port: {config!r}")
        baudrate = int(query.get("baudrate", query.get("baud", ["9600"]))[0])
        reconnect_s = float(query.get("reconnect", ["1"])[0]) or None
        scanner = SerialScanner(
            port, on_scan, baudrate=baudrate, reconnect_s=reconnect_s, on_error=on_error
        )
    elif kind == "wedge" and not rest:
        from drivers.scanner.wedge import WedgeScanner

        scanner = WedgeScanner(on_scan, on_error=on_error)
    else:
        raise ValueError(f"unknown scanner {config!r}: use camera:N, serial:///dev/PORT or wedge")
    scanner.open()
    return scanner
