"""What a kiosk, board, rating terminal or LED bridge runs to be part of the fleet:
pair by a code shown on the device, pull its configuration at start and again
whenever it changes, and report its health.

A change reaches a device two ways: the ``config.device`` event on the stream
(devices that follow it pass it to :meth:`FleetMember.on_event`) and the
revision in every heartbeat answer, so a device that follows no stream still
picks it up within one heartbeat. The last configuration is kept in a cache
file, so a device that starts while the server is down still prints on the
right printer. Like the rest of this package, it needs only ``requests``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from device_kit.client import ClientError, QueueClient, ServerError, ServerUntrusted, Trust
from device_kit.contract.device_wire import DeviceConfig, Health
from device_kit.contract.events import EventKind
from device_kit.event_stream import Event, LinkState, StreamListener
from device_kit.pushed_config import LocalGrants, screen
from device_kit.settings import Layers, Setting

log = logging.getLogger(__name__)

HEARTBEAT_S = 30.0
PAIRING_CODE_S = 600.0  # the server keeps a code this long


def package_version() -> str:
    """The installed motcua version, reported in every heartbeat."""
    try:
        return version("motcua")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "dev"


#: Seconds between heartbeats (tests shorten it).
HEARTBEAT = Setting(HEARTBEAT_S, env="MOTCUA_HEARTBEAT_S", parse=lambda v: float(str(v)))


def heartbeat_interval(env: Mapping[str, str] = os.environ) -> float:
    """Seconds between heartbeats (``MOTCUA_HEARTBEAT_S``), for a member not told."""
    return Layers(env=env).resolve(HEARTBEAT).value


def save_pairing(
    path: Path, server_url: str, token: str, trust: Mapping[str, str] | None = None
) -> None:
    """Keep a new device token in ``pairing.json``: readable by this user only, written
    in one step (never a partial file); other entries (a kiosk's PIN hash) stay.
    ``trust``: the CA file or pinned fingerprint pairing used
    (:meth:`device_kit.trust_settings.TrustSettings.recorded`), so a restart keeps
    trusting the same server."""
    kept = json.loads(path.read_text("utf-8")) if path.is_file() else {}
    kept.update(server_url=server_url, token=token, **(trust or {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stored:
        json.dump(kept, stored)
    temporary.replace(path)


class DeviceAgent:
    """One device's side of pairing, configuration and heartbeats.

    ``token`` is the device's own secret: made here when pairing starts, kept by
    the device (e.g. in its pairing file) and used as its bearer token once paired.
    """

    def __init__(
        self,
        base_url: str,
        kind: str,
        hardware: str = "",
        token: str | None = None,
        trust: Trust | None = None,
    ) -> None:
        """``trust``: the centre's CA (default ``MOTCUA_CA_FILE``); checked before the
        pairing request, so neither the token nor its digest reaches another host."""
        self.base_url = base_url
        self.trust = trust or Trust.from_settings()
        self.kind = kind
        self.hardware = hardware
        self.token = token
        self.name: str | None = None
        self.revision = 0

    def request_code(self) -> str:
        """A fresh secret and the six-digit code to show the technician."""
        self.token = secrets.token_hex(32)  # like server-made tokens: safe on a command line
        digest = hashlib.sha256(self.token.encode()).hexdigest()
        with QueueClient(self.base_url, trust=self.trust) as anonymous:
            answer = anonymous.request(
                "POST", "/pairing",
                json={"kind": self.kind, "hardware": self.hardware, "token_hash": digest},
            )
        return str(answer["code"])

    def config(self) -> dict[str, Any] | None:
        """The device's configuration, or None while it is not paired yet."""
        with QueueClient(self.base_url, self.token, trust=self.trust) as client:
            try:
                mine = client.request("GET", "/devices/me")
            except ServerError as exc:
                if exc.status == 401:
                    return None
                raise
        self.name, self.revision = mine["name"], int(mine["revision"])
        return dict(mine["config"])

    def is_newer(self, kind: str, data: dict[str, Any]) -> bool:
        """Whether a stream event announces a configuration this device has not pulled."""
        return (
            kind == EventKind.CONFIG_DEVICE
            and data.get("device") == self.name
            and int(data.get("revision", 0)) > self.revision
        )

    def heartbeat(self, health: Health) -> int | None:
        """Report health; the server's current configuration revision, when it says."""
        with QueueClient(self.base_url, self.token, trust=self.trust) as client:
            answer = client.request("POST", "/devices/me/heartbeat", json=health.to_wire())
        if isinstance(answer, dict) and "revision" in answer:
            return int(answer["revision"])
        return None


def pair(
    agent: DeviceAgent,
    show_code: Callable[[str], None],
    stop: threading.Event,
    poll_s: float = 2.0,
    on_problem: Callable[[ServerUntrusted | None], None] = lambda _problem: None,
) -> dict[str, Any] | None:
    """Show a code until a technician enters it; the device's configuration, or None
    when ``stop`` is set first. An expired code is replaced by a fresh one; a server
    that cannot be reached is retried. Afterwards ``agent.token`` is the device token.
    ``on_problem`` hears why the server is refused (a certificate problem the screen
    names), and None once it is trusted again."""
    while not stop.is_set():
        try:
            code = agent.request_code()
        except ServerUntrusted as exc:
            log.error("pairing: %s", exc)
            on_problem(exc)
            stop.wait(poll_s)
            continue
        except ClientError as exc:
            log.warning("pairing: cannot ask for a code (%s); retrying", exc)
            stop.wait(poll_s)
            continue
        on_problem(None)
        show_code(code)
        deadline = time.monotonic() + PAIRING_CODE_S
        while not stop.wait(poll_s) and time.monotonic() < deadline:
            try:
                config = agent.config()
            except ServerUntrusted as exc:
                on_problem(exc)
                continue
            except ClientError as exc:
                log.info("pairing: server not answering (%s)", exc)
                continue
            if config is not None:
                return config
    return None


class FleetMember:
    """Keeps a paired device's configuration current and its heartbeat going.

    ``health`` is asked for on every heartbeat (printer, scanner, camera, serial,
    detail: :class:`~device_kit.contract.device_wire.Health` fields); ``on_config``
    gets each new configuration, typed, on this object's thread —
    a Kivy app hops to its own thread from there — after :mod:`pushed_config
    <device_kit.pushed_config>` took out what ``grants`` do not allow: the
    device keeps its previous value (also in the cache) and the refusal goes into the
    health ``detail``. Each heartbeat also carries the
    device's UTC ``clock``, so the server can flag a box whose time is off.
    """

    def __init__(
        self,
        agent: DeviceAgent,
        *,
        role: str,
        health: Callable[[], dict[str, Any]],
        on_config: Callable[[DeviceConfig], None],
        cache_file: Path | None = None,
        version: str | None = None,
        interval: float | None = None,
        grants: LocalGrants | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.agent = agent
        self.clock = clock
        self.grants = grants or LocalGrants.from_settings(
            cache_file.parent if cache_file is not None else None
        )
        #: Refused settings and trust failures, reported in the next heartbeat.
        self.refused: dict[str, str] = {}
        self.untrusted: ServerUntrusted | None = None
        self.role = role
        self.version = version or package_version()
        self.health = health
        self.on_config = on_config
        self.cache_file = cache_file
        self.interval = heartbeat_interval() if interval is None else interval
        self.config: dict[str, Any] = {}
        self._started = time.monotonic()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pull_wanted = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> FleetMember:
        cached = self._read_cache()
        if cached is not None:
            self._apply(cached)
        self._pull_wanted.set()
        self._thread = threading.Thread(target=self._run, name="fleet-member", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def on_event(self, kind: str, data: dict[str, Any]) -> None:
        """Feed a stream event; a ``config.device`` for this device makes it pull."""
        if self.agent.is_newer(kind, data):
            self._pull_wanted.set()
            self._wake.set()

    def report_now(self) -> None:
        """Heartbeat at once: something the technician must know just happened."""
        self._wake.set()

    # the thread ------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                if self._pull_wanted.is_set():
                    self._pull()
                revision = self.agent.heartbeat(self._health())
                self.untrusted = None
                if revision is not None and revision > self.agent.revision:
                    self._pull_wanted.set()
                    continue
            except ServerUntrusted as exc:
                self.untrusted = exc
                log.error("fleet: %s", exc)
            except ClientError as exc:
                log.info("fleet: server not answering (%s)", exc)
            except Exception:
                log.exception("fleet: heartbeat failed")
            self._wake.wait(self.interval)

    def _pull(self) -> None:
        config = self.agent.config()
        self._pull_wanted.clear()
        if config is None:
            log.warning("fleet: this device is not paired (its token is unknown or revoked)")
            return
        self._apply(config)
        self._write_cache(self.config)

    def _apply(self, config: dict[str, Any]) -> None:
        screened = screen(config, self.grants)
        self.refused = screened.refused
        for name, reason in screened.refused.items():
            log.warning("fleet: refused the server's %s: %s", name, reason)
        kept = {name: self.config[name] for name in screened.refused if name in self.config}
        self.config = {**screened.accepted, **kept}
        try:
            self.on_config(DeviceConfig.from_wire(self.config))
        except Exception:
            log.exception("fleet: the device could not apply its configuration")

    def _health(self) -> Health:
        health = self.health()
        notes = [health.get("detail", "")]
        notes += [f"refused {name}: {reason}" for name, reason in self.refused.items()]
        if self.untrusted is not None:
            notes.append(f"server was untrusted: {self.untrusted.problem}")
        return Health(
            **{
                **health,
                "detail": "; ".join(n for n in notes if n)[:200],
                "role": self.role,
                "version": self.version,
                "uptime_s": int(time.monotonic() - self._started),
                "clock": self.clock(),
            }
        )

    def _read_cache(self) -> dict[str, Any] | None:
        if self.cache_file is None or not self.cache_file.is_file():
            return None
        try:
            cached = json.loads(self.cache_file.read_text("utf-8"))
        except (OSError, ValueError):
            log.warning("fleet: cached configuration %s unreadable; ignored", self.cache_file)
            return None
        self.agent.revision = int(cached.get("revision", 0))
        return dict(cached.get("config", {}))

    def _write_cache(self, config: dict[str, Any]) -> None:
        if self.cache_file is None:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.cache_file.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"revision": self.agent.revision, "config": config}, ensure_ascii=False),
            "utf-8",
        )
        temporary.replace(self.cache_file)


class FleetFeed:
    """A stream listener that also hands every event to the fleet member, so a
    configuration announced on the stream is pulled at once; the device's own
    listener, when it has one, gets everything as before."""

    def __init__(self, member: FleetMember, listener: StreamListener | None = None) -> None:
        self.member = member
        self.listener = listener

    def on_snapshot(self, snapshot: dict[str, Any]) -> None:
        if self.listener is not None:
            self.listener.on_snapshot(snapshot)

    def on_event(self, event: Event) -> None:
        self.member.on_event(event.kind, event.data)
        if self.listener is not None:
            self.listener.on_event(event)

    def on_state(self, state: LinkState) -> None:
        if self.listener is not None:
            self.listener.on_state(state)
