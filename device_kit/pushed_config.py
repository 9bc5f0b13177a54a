"""Configuration pushed by the server is checked on the device before it is used.

A server — or a host posing as one — could otherwise send every ticket to a printer
elsewhere on the network (``tcp://another-host:9100``) or have the device write any
file it can (``file:///…``). Each setting that names a place is held to an allow-list:
local devices (serial ports, ``/dev/usb/lp*``, ``/dev/motcua/*``), files inside the
device's data directory, and what the technician entered on the device itself: TCP
hosts (``MOTCUA_PRINTER_HOSTS``, or the printer URL given on the device's command line
or environment) and further device paths (``MOTCUA_DEVICE_PATHS``, glob patterns).
A choice among fixed values (``printer_text_mode``, ``announcement_mode``,
``announcement_variant``) must be one of them.
A refused setting is left out, so the device keeps what it had, and the refusal is
reported to the fleet.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from device_kit.contract.device_wire import (
    ANNOUNCEMENT_MODES,
    ANNOUNCEMENT_VARIANTS,
    PRINTER_TEXT_MODES,
)
from device_kit.trust import is_loopback

#: Local device paths a pushed setting may name.
DEVICE_PATHS = (
    "/dev/ttyS*",
    "/dev/ttyUSB*",
    "/dev/ttyACM*",
    "/dev/serial/by-id/*",
    "/dev/serial/by-path/*",
    "/dev/usb/lp*",
    "/dev/motcua/*",
)
#: Settings that name one of a few fixed values.
CHOICES: dict[str, tuple[str, ...]] = {
    "printer_text_mode": PRINTER_TEXT_MODES,
    "announcement_mode": ANNOUNCEMENT_MODES,
    "announcement_variant": ANNOUNCEMENT_VARIANTS,
}


@dataclass(frozen=True)
class LocalGrants:
    """What the technician allowed on the device itself, beyond local devices."""

    tcp_hosts: frozenset[str] = frozenset()
    data_dir: Path | None = None
    device_paths: tuple[str, ...] = ()

    @classmethod
    def from_settings(
        cls,
        data_dir: Path | None = None,
        local_urls: Iterable[str | None] = (),
        env: Mapping[str, str] = os.environ,
    ) -> LocalGrants:
        """``MOTCUA_PRINTER_HOSTS`` and ``MOTCUA_DEVICE_PATHS`` (comma-separated) and the
        hosts of printer URLs the technician gave on the device (``local_urls``)."""
        hosts = {h.strip().lower() for h in env.get("MOTCUA_PRINTER_HOSTS", "").split(",")}
        hosts |= {(urlsplit(u).hostname or "").lower() for u in local_urls if u}
        paths = (p.strip() for p in env.get("MOTCUA_DEVICE_PATHS", "").split(","))
        return cls(frozenset(h for h in hosts if h), data_dir, tuple(p for p in paths if p))


@dataclass
class Screened:
    """The settings a device may apply, and why each of the others was refused."""

    accepted: dict[str, Any] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def screen(config: Mapping[str, Any], grants: LocalGrants) -> Screened:
    """Split a pushed configuration into what is allowed and what is refused."""
    result = Screened()
    for name, value in config.items():
        problem = _problem(name, value, grants)
        if problem:
            result.refused[name] = problem
        else:
            result.accepted[name] = value
    return result


def _problem(name: str, value: Any, grants: LocalGrants) -> str:
    if value is None:
        return ""
    if name == "printer_url":
        return _printer_problem(str(value), grants)
    if name in CHOICES and value not in CHOICES[name]:
        return f"{name.replace('_', ' ')} {value!r} is not one of {', '.join(CHOICES[name])}"
    if name == "serial":
        port = value.get("port", "") if isinstance(value, Mapping) else ""
        if _is_device(port, grants):
            return ""
        return f"serial port {port!r} is not a local serial device"
    if name == "scanners":
        for scanner in value:
            path = urlsplit(str(scanner)).path
            if str(scanner).startswith("serial:") and not _is_device(path, grants):
                return f"scanner {scanner!r} is not a local serial device"
        return ""
    if name == "led_routes":
        for route in value:
            port = str(route).partition("=")[2].rpartition(":")[0]
            if not _is_device(port, grants):
                return f"LED route {route!r} is not on a local serial device"
    return ""


def _printer_problem(url: str, grants: LocalGrants) -> str:
    parts = urlsplit(url)
    if parts.scheme == "usb":
        return ""
    if parts.scheme == "serial" and _is_device(parts.path, grants):
        return ""
    if parts.scheme == "tcp":
        host = (parts.hostname or "").lower()
        if is_loopback(host) or host in grants.tcp_hosts:
            return ""
        return f"printer host {host!r} was not entered on this device"
    if parts.scheme == "file" and (
        _is_device(parts.path, grants) or _inside(parts.path, grants)
    ):
        return ""
    return f"printer {url!r} is not a local device or an allowed host"


def _is_device(path: str, grants: LocalGrants) -> bool:
    normal = posixpath.normpath(path) if path else ""
    patterns = (*DEVICE_PATHS, *grants.device_paths)
    return normal == path and any(fnmatch.fnmatchcase(normal, p) for p in patterns)


def _inside(path: str, grants: LocalGrants) -> bool:
    if grants.data_dir is None or not path:
        return False
    target = Path(os.path.realpath(path))
    return target.is_relative_to(Path(os.path.realpath(grants.data_dir)))
