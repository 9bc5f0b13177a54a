"""Queue tickets and dossier slips as print operations, then as ESC/POS bytes. No I/O.

A layout is a list of operations (:class:`RasterOp`, :class:`TextOp`, :class:`QrOp`)
that :func:`encode` turns into bytes with python-escpos's ``Dummy`` printer, so
the bytes are exactly what python-escpos would send to a real printer.

- Vietnamese lines are text in the model's Vietnamese code page when the profile
  has one (:mod:`drivers.printer.codepage`: TCVN-3, else CP1258): a few hundred
  bytes instead of 20-30 KB. A line the page cannot show, an inverted band, and
  every line of a printer set to ``text_mode="raster"`` are rasters (see
  :mod:`drivers.printer.raster_text`; font DejaVu Sans from Debian
  ``fonts-dejavu-core``, Bitstream Vera licence).
- The ticket number is native text in large size (``GS !``): crisp and tiny.
- The tracking QR is native (``GS ( k``) when the model supports it, else an image.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from escpos.printer import Dummy
from PIL import Image

from drivers.printer.profiles import PaperProfile
from drivers.printer.raster_text import Align, TextStyle, render_lines

#: Dots per character of the printer's font A (12 x 24) at width 1.
CELL_DOTS = 12
#: Keeps a phone number on one line: wrapped as one word, printed as a space.
NO_BREAK = "\u00a0"
#: One phone number: digit groups joined by single spaces, dots or hyphens, with an
#: optional ``+`` and area code in brackets (``(0218) 3880 123``, ``+84 218.3880.123``).
PHONE = re.compile(r"\+?(?:\(\d+\) ?)?\d+(?:[ .\-]\d+)*")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class TicketData:
    """What a visitor's queue ticket shows."""

    centre_name: str
    service_name: str
    number: str
    issued_at: datetime
    #: None prints no QR: better none than one a phone cannot open (a loopback address).
    tracking_url: str | None
    #: None: not known (an offline ticket with no recent count) — said so, never "0".
    people_ahead: int | None = 0
    #: The count is an estimate (an offline ticket, from the kiosk's last queue count).
    people_ahead_estimated: bool = False
    priority_label: str | None = None
    hotline: str | None = None
    #: The dossier a result-collection ticket is for: the officer at the counter asks for it.
    dossier_code: str | None = None

    def __post_init__(self) -> None:
        if not self.number.isascii() or not self.number.isprintable() or not self.number:
            raise ValueError(f"ticket number must be printable ASCII, got {self.number!r}")
        if self.dossier_code is not None:
            _check_code(self.dossier_code)
        _normalise_text_fields(self)


@dataclass(frozen=True, slots=True)
class SlipData:
    """What a dossier-lookup slip shows (never the applicant's ID number or phone)."""

    centre_name: str
    dossier_code: str
    procedure: str
    status_text: str
    printed_at: datetime
    due_date: date | None = None
    timeliness: str | None = None
    tracking_url: str | None = None

    def __post_init__(self) -> None:
        _check_code(self.dossier_code)
        _normalise_text_fields(self)


def _check_code(code: str) -> None:
    """Dossier codes print as native text, which only ASCII survives."""
    if not code.isascii() or not code.isprintable():
        raise ValueError(f"dossier code must be printable ASCII, got {code!r}")


def _normalise_text_fields(data: TicketData | SlipData) -> None:
    for item in fields(data):
        value = getattr(data, item.name)
        if isinstance(value, str):
            object.__setattr__(data, item.name, nfc(value))


@dataclass(frozen=True, slots=True)
class Labels:
    """Printed wording, Vietnamese first then English; pass another instance to reword."""

    ticket_title: tuple[str, str] = ("PHIẾU SỐ THỨ TỰ", "QUEUE TICKET")
    priority: str = "ƯU TIÊN · PRIORITY: {label}"
    people_ahead: tuple[str, str] = (
        "Số người đang chờ trước bạn: {count}",
        "People ahead of you: {count}",
    )
    people_ahead_estimated: tuple[str, str] = (
        "Số người đang chờ trước bạn: khoảng {count}",
        "People ahead of you: about {count}",
    )
    people_ahead_unknown: tuple[str, str] = (
        "Chưa rõ số người đang chờ",
        "Waiting count unknown",
    )
    issued_at: str = "Giờ lấy số / Issued: {time}"
    scan_hint: tuple[str, str] = (
        "Quét mã QR để theo dõi lượt của bạn",
        "Scan the QR code to follow your turn",
    )
    hotline: str = "Đường dây nóng / Hotline: {hotline}"
    slip_title: tuple[str, str] = ("KẾT QUẢ TRA CỨU HỒ SƠ", "DOSSIER LOOKUP")
    dossier_code: str = "Mã hồ sơ / Dossier code:"
    procedure: str = "Thủ tục / Procedure: {text}"
    status: str = "Trạng thái / Status: {text}"
    due_date: str = "Hạn trả kết quả / Due: {date}"
    timeliness: str = "Tiến độ / Timeliness: {text}"
    printed_at: str = "In lúc / Printed: {time}"
    time_format: str = "%H:%M  %d/%m/%Y"
    date_format: str = "%d/%m/%Y"


LABELS = Labels()


@dataclass(frozen=True, slots=True)
class RasterOp:
    """A named block of rendered lines; the name lets tests find it again."""

    name: str
    image: Image.Image = field(compare=False)


@dataclass(frozen=True, slots=True)
class TextOp:
    """Native text, ``width`` x ``height`` times the normal character size (1-8): ASCII,
    or Vietnamese in the profile's code page; ``name`` is the block it belongs to."""

    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    align: Align = "center"
    name: str = ""


@dataclass(frozen=True, slots=True)
class QrOp:
    payload: str
    module_size: int


Op = RasterOp | TextOp | QrOp


@dataclass(frozen=True, slots=True)
class _Sizes:
    """Font pixel sizes, number size multiplier and QR module dots for one paper class."""

    body: int
    small: int
    heading: int
    service: int
    number: int
    qr_module: int
    #: The service name as code-page text: (width, height) multipliers.
    service_scale: tuple[int, int]


_WIDE = _Sizes(
    body=24, small=20, heading=26, service=34, number=4, qr_module=6, service_scale=(2, 2)
)
_NARROW = _Sizes(
    body=19, small=16, heading=21, service=27, number=4, qr_module=5, service_scale=(1, 2)
)


def _sizes(profile: PaperProfile) -> _Sizes:
    return _NARROW if profile.narrow else _WIDE


def _block(
    name: str,
    lines: Sequence[str],
    profile: PaperProfile,
    style: TextStyle,
    scale: tuple[int, int] = (1, 1),
) -> list[Op]:
    """Lines as code-page text where the profile has a page that shows them, wrapped to
    the printer's columns; each other line (and an inverted band) as a raster."""
    plan = profile.text
    width = profile.width_dots
    if plan is None or style.invert:
        return [_raster(name, lines, width, style)]
    columns = width // (CELL_DOTS * scale[0])
    ops: list[Op] = []
    for line in lines:
        if not plan.can_encode(line.replace(NO_BREAK, " ")):
            ops.append(_raster(name, [line], width, style))
            continue
        for part in textwrap.wrap(line, columns, break_long_words=False) or [""]:
            text = part.replace(NO_BREAK, " ")
            ops.append(TextOp(text, scale[0], scale[1], style.bold, style.align, name))
    return ops


def _raster(name: str, lines: Sequence[str], width: int, style: TextStyle) -> RasterOp:
    return RasterOp(name, render_lines(lines, width, style))


def ticket_ops(data: TicketData, profile: PaperProfile, labels: Labels = LABELS) -> list[Op]:
    """The queue ticket, top to bottom."""
    size = _sizes(profile)
    ops: list[Op] = [
        *_block("centre", [data.centre_name], profile, TextStyle(size.heading, bold=True)),
        *_block("title", labels.ticket_title, profile, TextStyle(size.small)),
        *_block(
            "service",
            [data.service_name],
            profile,
            TextStyle(size.service, bold=True),
            size.service_scale,
        ),
        TextOp(data.number, width=size.number, height=size.number, bold=True),
    ]
    if data.priority_label:
        line = labels.priority.format(label=data.priority_label)
        ops += _block("priority", [line], profile, TextStyle(size.body, True, invert=True))
    if data.dossier_code:
        ops += _code_ops(data.dossier_code, profile, size, labels)
    details = _ahead_lines(data, labels)
    details.append(labels.issued_at.format(time=data.issued_at.strftime(labels.time_format)))
    ops += _block("details", details, profile, TextStyle(size.body))
    if data.tracking_url:
        ops.append(QrOp(data.tracking_url, size.qr_module))
        ops += _block("scan_hint", labels.scan_hint, profile, TextStyle(size.small))
    if data.hotline:
        line = labels.hotline.format(hotline=keep_numbers_together(data.hotline))
        ops += _block("hotline", [line], profile, TextStyle(size.small, bold=True))
    return ops


def _ahead_lines(data: TicketData, labels: Labels) -> list[str]:
    if data.people_ahead is None:
        return list(labels.people_ahead_unknown)
    lines = labels.people_ahead_estimated if data.people_ahead_estimated else labels.people_ahead
    return [line.format(count=data.people_ahead) for line in lines]


def keep_numbers_together(text: str) -> str:
    """Each phone number in ``text`` as one unbreakable word, the words between them
    breakable: a line wraps before a number, never inside it, even when the field holds
    several numbers that no single line could hold."""
    return PHONE.sub(lambda match: match.group().replace(" ", NO_BREAK), text)


def _code_ops(code: str, profile: PaperProfile, size: _Sizes, labels: Labels) -> list[Op]:
    """The dossier code under its label, in tall native text an officer reads at a glance."""
    return [
        *_block("code_label", [labels.dossier_code], profile, TextStyle(size.small)),
        TextOp(code, bold=True, height=2),
    ]


def slip_ops(data: SlipData, profile: PaperProfile, labels: Labels = LABELS) -> list[Op]:
    """The dossier-lookup slip, top to bottom."""
    size = _sizes(profile)
    body = TextStyle(size.body, align="left")
    lines = [
        labels.procedure.format(text=data.procedure),
        labels.status.format(text=data.status_text),
    ]
    if data.due_date is not None:
        lines.append(labels.due_date.format(date=data.due_date.strftime(labels.date_format)))
    if data.timeliness:
        lines.append(labels.timeliness.format(text=data.timeliness))
    lines.append(labels.printed_at.format(time=data.printed_at.strftime(labels.time_format)))
    ops: list[Op] = [
        *_block("centre", [data.centre_name], profile, TextStyle(size.heading, bold=True)),
        *_block("title", labels.slip_title, profile, TextStyle(size.small)),
        *_code_ops(data.dossier_code, profile, size, labels),
        *_block("details", lines, profile, body),
    ]
    if data.tracking_url:
        ops.append(QrOp(data.tracking_url, size.qr_module))
    return ops


def encode(ops: Sequence[Op], profile: PaperProfile) -> bytes:
    """ESC/POS bytes for ``ops``: initialise, centre, each operation, feed and cut."""
    printer = Dummy(profile=profile.model)
    printer.hw("INIT")
    printer.set(align="center")
    for op in ops:
        if isinstance(op, RasterOp):
            printer.image(op.image)
        elif isinstance(op, TextOp):
            if op.align != "center":
                printer.set(align=op.align)
            printer.set(bold=op.bold, custom_size=True, width=op.width, height=op.height)
            printer._raw(_text_bytes(op.text, profile) + b"\n")
            printer.set(bold=False, custom_size=True, width=1, height=1)
            if op.align != "center":
                printer.set(align="center")
        elif profile.native_qr:
            printer._raw(b"\n")  # the quiet zone a scanner needs above and below the code
            printer.qr(op.payload, size=op.module_size, native=True)
            printer._raw(b"\n")
        else:
            printer.qr(op.payload, size=op.module_size, native=False, center=True)
    printer.cut()
    return printer.output


def _text_bytes(text: str, profile: PaperProfile) -> bytes:
    """ASCII as it is; Vietnamese in the profile's page (the layout checked it fits)."""
    if text.isascii():
        return text.encode("ascii")
    encoded = profile.text.encode(text) if profile.text is not None else None
    if encoded is None:
        raise ValueError(f"{profile.model} cannot print {text!r} as text")
    return encoded


def build_ticket(data: TicketData, profile: PaperProfile, labels: Labels = LABELS) -> bytes:
    return encode(ticket_ops(data, profile, labels), profile)


def build_slip(data: SlipData, profile: PaperProfile, labels: Labels = LABELS) -> bytes:
    return encode(slip_ops(data, profile, labels), profile)
