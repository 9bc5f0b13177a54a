"""Where every device setting comes from, in one order for every app: the command
line, then ``MOTCUA_*`` variables, then what pairing stored on the box
(``pairing.json``), then the configuration the server pushed for this device, then
what the centre set for all its devices (``GET /site``), then the default.

A kiosk, rating terminal, hall board or LED bridge declares each of its settings
once (:class:`Setting`: which flag, variable, pairing key and pushed field name it,
and its default) and reads it from one :class:`Layers`; what comes back
(:class:`Resolved`) keeps the place it came from, for the technician
(``motcua-kiosk --show-settings``) and the fleet. A pushed value therefore never
overrides what the technician gave on the box itself, and the pushed configuration
was screened before it got here (:mod:`device_kit.pushed_config`). Standard
library only: a kiosk installs no pydantic.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Generic, TypeVar, cast

from device_kit.contract.device_wire import DeviceConfig

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

#: Shown in place of a secret's value.
HIDDEN = "***"


class Source(StrEnum):
    """Where a value came from, strongest first (``confirmed``: the CA fingerprint a
    technician confirmed on the pairing screen)."""

    FLAG = "flag"
    ENVIRONMENT = "environment"
    PAIRING = "pairing"
    PUSHED = "pushed"
    SITE = "site"
    CONFIRMED = "confirmed"
    DEFAULT = "default"


#: The places a box's own technician set: a pushed value never overrides them.
LOCAL = frozenset({Source.FLAG, Source.ENVIRONMENT, Source.PAIRING})


@dataclass(frozen=True)
class Resolved(Generic[T_co]):
    value: T_co
    source: Source = Source.DEFAULT


@dataclass(frozen=True)
class Setting(Generic[T_co]):
    """One setting and the name it has in each place (None: not read from there).

    ``parse`` turns what a place gives (text from the environment, JSON from the pairing
    file or the server, a flag's argparse value) into the setting's type; it takes a
    value of that type back unchanged.
    """

    default: T_co
    flag: str | None = None
    env: str | None = None
    pairing: str | None = None
    pushed: str | None = None
    site: str | None = None
    parse: Callable[[object], T_co] | None = None


def _given(value: object) -> bool:
    """Absent, an empty string or an empty list all leave the choice to the next place."""
    return value is not None and value != "" and value != [] and value != ()


@dataclass(frozen=True)
class Layers:
    """The places a device reads its settings from, each read once."""

    flags: Mapping[str, object] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    pairing: Mapping[str, object] = field(default_factory=dict)
    pushed: Mapping[str, object] = field(default_factory=dict)
    site: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def read(
        cls,
        args: argparse.Namespace | None = None,
        env: Mapping[str, str] = os.environ,
        pairing_file: Path | None = None,
    ) -> Layers:
        """The parsed command line, the environment and the pairing file (when there is one)."""
        return cls(vars(args) if args is not None else {}, env, read_pairing(pairing_file))

    def with_pairing(self, pairing_file: Path) -> Layers:
        """The same, with the pairing file found where an earlier setting says."""
        return replace(self, pairing=read_pairing(pairing_file))

    def with_pushed(self, config: DeviceConfig) -> Layers:
        """The same, with the server's configuration."""
        return replace(self, pushed=config.to_wire())

    def with_site(self, site: Mapping[str, object]) -> Layers:
        """The same, with the centre's settings (as ``GET /site`` gives them)."""
        return replace(self, site=site)

    def places(self, setting: Setting[T]) -> Iterator[tuple[Source, object]]:
        """What each place says of ``setting``, strongest first."""
        named = (
            (Source.FLAG, self.flags, setting.flag),
            (Source.ENVIRONMENT, self.env, setting.env),
            (Source.PAIRING, self.pairing, setting.pairing),
            (Source.PUSHED, self.pushed, setting.pushed),
            (Source.SITE, self.site, setting.site),
        )
        for source, place, name in named:
            if name is not None and _given(value := place.get(name)):
                yield source, value

    def resolve(self, setting: Setting[T]) -> Resolved[T]:
        for source, value in self.places(setting):
            if setting.parse is not None:
                return Resolved(setting.parse(value), source)
            return Resolved(cast(T, value), source)
        return Resolved(setting.default)

    def first_place(self, *settings: Setting[object]) -> Source:
        """The strongest place that says anything of ``settings``: settings that only
        make sense together (a CA file and its fingerprint) are taken from it whole,
        never one from the command line and the other from a stale pairing file."""
        said = [source for setting in settings for source, _ in self.places(setting)]
        order = list(Source)
        return min(said, key=order.index, default=Source.DEFAULT)

    def only(self, source: Source) -> Layers:
        """Just the one place (nothing at all for ``default``)."""
        kept = {
            Source.FLAG: Layers(flags=self.flags),
            Source.ENVIRONMENT: Layers(env=self.env),
            Source.PAIRING: Layers(pairing=self.pairing),
            Source.PUSHED: Layers(pushed=self.pushed),
            Source.SITE: Layers(site=self.site),
        }
        return kept.get(source, Layers())


def pushed_over(current: Resolved[T], setting: Setting[T], config: DeviceConfig) -> Resolved[T]:
    """A setting once the server's ``config`` arrived while the device runs: the pushed
    value, unless the box's own technician set one (flag, environment, pairing file);
    a setting the server does not send stays as it was."""
    if current.source in LOCAL:
        return current
    sent = Layers(pushed=config.to_wire()).resolve(setting)
    return sent if sent.source is Source.PUSHED else current


def read_pairing(path: Path | None) -> dict[str, object]:
    """What pairing stored (``device_kit.fleet.save_pairing``); {} before pairing."""
    if path is None or not path.is_file():
        return {}
    stored = json.loads(path.read_text("utf-8"))
    return dict(stored) if isinstance(stored, dict) else {}


def shown(settings: Mapping[str, Resolved[object]], secrets: frozenset[str] = frozenset()) -> str:
    """One line per setting, ``name = value  (source)``; ``secrets`` are hidden."""
    width = max((len(name) for name in settings), default=0)
    return "\n".join(
        f"{name:<{width}} = {HIDDEN if name in secrets and _given(got.value) else got.value}"
        f"  ({got.source})"
        for name, got in settings.items()
    )
