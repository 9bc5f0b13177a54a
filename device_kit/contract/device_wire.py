"""What a device and the server say to each other about the device itself: the
configuration a technician sets for it (``GET /devices/me``, ``PUT
/devices/<id>/config``) and the health it reports (``POST /devices/me/heartbeat``).

Defined once, here, as standard-library dataclasses, because a kiosk or board
installs no pydantic: each field's limits (length, range, pattern, description)
ride along as :class:`Limits` in its ``Annotated`` type. The server builds its
pydantic models from these very classes (``queue_server.api.wire_models``), so a
field added here is validated there and read here with nothing else to edit; the
devices use the classes as they are: :meth:`DeviceConfig.from_wire` to read what
the server sent, :meth:`Health.to_wire` to send what they report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Annotated, Literal, get_args


@dataclass(frozen=True)
class Limits:
    """A field's limits, checked by the server (pydantic ``Field`` keywords)."""

    max_length: int | None = None
    ge: int | None = None
    le: int | None = None
    pattern: str | None = None
    description: str | None = None


#: ``COUNTER=PORT:ADDRESS``, e.g. ``3=/dev/ttyUSB0:3`` (display_board.led_bridge.LedRoute).
#: ``COUNTER=PORT:ADDRESS``; an address is 0 (every board on the port) to 247, the
#: bus's limit (``drivers.serial_frame.MAX_ADDRESS``), checked here so a typo never
#: reaches a port.
LedRouteText = Annotated[
    str,
    Limits(
        max_length=220,
        pattern=r"^[1-9][0-9]{0,2}=\S+:(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-3][0-9]|24[0-7])$",
    ),
]


#: How a printer prints Vietnamese (drivers.printer.codepage): code-page text where its
#: model has a page (auto), insisting on it (codepage), or images (raster).
PrinterTextMode = Literal["auto", "codepage", "raster"]
PRINTER_TEXT_MODES: tuple[PrinterTextMode, ...] = get_args(PrinterTextMode)


#: How a hall board reads ticket numbers (drivers.audio.Reading): digit by digit or as a
#: number; and the regional words for numbers (drivers.audio.Variant): northern
#: "linh"/"nghìn" or southern "lẻ"/"ngàn". A centre sets both; a board's config overrides.
AnnouncementMode = Literal["digits", "number"]
ANNOUNCEMENT_MODES: tuple[AnnouncementMode, ...] = get_args(AnnouncementMode)
AnnouncementVariant = Literal["north", "south"]
ANNOUNCEMENT_VARIANTS: tuple[AnnouncementVariant, ...] = get_args(AnnouncementVariant)


@dataclass(frozen=True)
class SerialSettings:
    """A serial device's port and line settings."""

    port: Annotated[str, Limits(max_length=200)]
    baudrate: Annotated[int, Limits(ge=1200, le=921_600)] = 9600
    parity: Literal["N", "E", "O"] = "N"


@dataclass(frozen=True)
class DeviceConfig:
    """What a technician sets per device (DESIGN: set by a technician, stored on the server).
    None: not set, the device keeps its own value."""

    printer_url: Annotated[str | None, Limits(max_length=300)] = None
    printer_profile: Annotated[str | None, Limits(max_length=60)] = None
    paper: Literal[58, 80] | None = None
    printer_text_mode: Annotated[
        PrinterTextMode | None,
        Limits(
            description="Vietnamese as code-page text where the printer model has a page "
            "(auto), always (codepage) or as images (raster: a clone that prints its page wrongly)"
        ),
    ] = None
    camera: Annotated[int | None, Limits(ge=0, le=16)] = None
    scanners: Annotated[list[str] | None, Limits(max_length=4)] = None
    serial: SerialSettings | None = None
    board_counters: Annotated[list[int] | None, Limits(max_length=99)] = None
    board_columns: Annotated[int | None, Limits(ge=1, le=12)] = None
    languages: Annotated[
        Literal["vi", "vi,en"] | None, Limits(description="hall board languages")
    ] = None
    announcement_mode: Annotated[
        AnnouncementMode | None,
        Limits(description="hall board: read numbers digit by digit or as a number"),
    ] = None
    announcement_variant: Annotated[
        AnnouncementVariant | None,
        Limits(description="hall board: northern (linh, nghìn) or southern (lẻ, ngàn) words"),
    ] = None
    led_routes: Annotated[
        list[LedRouteText] | None,
        Limits(max_length=99, description="LED bridge: one COUNTER=PORT:ADDRESS per board"),
    ] = None
    counter: Annotated[
        int | None,
        Limits(ge=1, le=999, description="bound counter; rebinds a rating or counter device"),
    ] = None

    @classmethod
    def from_wire(cls, sent: Mapping[str, object]) -> DeviceConfig:
        """The server's configuration, as it sent it (it validated it): a setting this
        device does not know yet — a newer server — is left out."""
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in sent.items() if name in known}
        serial = values.get("serial")
        if isinstance(serial, Mapping):
            names = {f.name for f in fields(SerialSettings)}
            values["serial"] = SerialSettings(**{k: v for k, v in serial.items() if k in names})
        return cls(**values)  # type: ignore[arg-type]  # the server validated the types

    def to_wire(self) -> dict[str, object]:
        """The settings that are set, as JSON takes them (and the device's cache keeps)."""
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class Health:
    """What a device reports on every heartbeat; the fleet page flags its problems."""

    printer: Annotated[
        str, Limits(max_length=40, description="ok, paper_low, paper_out, offline …")
    ] = ""
    scanner: Annotated[str, Limits(max_length=40)] = ""
    camera: Annotated[str, Limits(max_length=40)] = ""
    serial: Annotated[str, Limits(max_length=40)] = ""
    audio: Annotated[
        str, Limits(max_length=40, description="ok, missing (no voice), failing")
    ] = ""
    version: Annotated[str, Limits(max_length=40)] = ""
    uptime_s: Annotated[int, Limits(ge=0)] = 0
    role: Annotated[
        str,
        Limits(
            max_length=40,
            description="kiosk-ticket, kiosk-lookup, hall-board, led-bridge or rating",
        ),
    ] = ""
    detail: Annotated[
        str, Limits(max_length=200, description="the problem in words, e.g. «Máy in hết giấy»")
    ] = ""
    #: The server takes only a clock with its UTC offset (it keeps the skew).
    clock: Annotated[
        datetime | None,
        Limits(description="the device's own clock when it sent this; the server keeps the skew"),
    ] = None

    def to_wire(self) -> dict[str, object]:
        sent: dict[str, object] = asdict(self)
        sent["clock"] = self.clock.isoformat() if self.clock is not None else None
        return sent
