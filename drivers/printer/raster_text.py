"""Vietnamese text as a 1-bit raster, for printers without a Vietnamese code page.

Used for every line on a model whose profile declares no Vietnamese page or that is
set to ``text_mode="raster"``, and for the lines a page cannot show
(:mod:`drivers.printer.codepage`): each is drawn with Pillow and sent as an image.

Font: DejaVu Sans (Debian package ``fonts-dejavu-core``), which covers every
Vietnamese precomposed letter. Licence: Bitstream Vera licence plus public
domain DejaVu changes (see /usr/share/doc/fonts-dejavu-core/copyright): free to
use and redistribute, renamed if modified. It is looked up, not shipped:
``MOTCUA_PRINTER_FONT`` / ``MOTCUA_PRINTER_FONT_BOLD`` name other TTF files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from drivers.errors import FontMissing

Align = Literal["left", "center"]

FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
MONO_FONT_FILES = {False: "DejaVuSansMono.ttf", True: "DejaVuSansMono-Bold.ttf"}
FONT_ENV = {False: "MOTCUA_PRINTER_FONT", True: "MOTCUA_PRINTER_FONT_BOLD"}
#: Pixel values below this become black dots; antialiased edges are cut at half grey.
THRESHOLD = 128
LINE_GAP = 4


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How one block of lines is drawn."""

    size: int
    bold: bool = False
    align: Align = "center"
    invert: bool = False


@lru_cache(maxsize=32)
def load_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The Vietnamese-capable font at ``size`` px; :class:`FontMissing` says how to get one.

    Pillow searches the XDG font directories (``/usr/share/fonts`` and the user's)
    for the bare file name, so any install location of DejaVu works.
    """
    return _truetype(os.environ.get(FONT_ENV[bold]) or FONT_FILES[bold], size, FONT_ENV[bold])


@lru_cache(maxsize=8)
def load_mono_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans Mono, standing in for a printer's built-in font in the emulator."""
    return _truetype(MONO_FONT_FILES[bold], size, FONT_ENV[bold])


def _truetype(name: str, size: int, env: str) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(name, size)
    except OSError as exc:
        raise FontMissing(
            f"font {name!r} not found: install the Debian package fonts-dejavu-core "
            f"or set {env} to a TTF file with Vietnamese glyphs"
        ) from exc


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels at spaces (a no-break space holds a phone
    number together); a word wider than the line stays whole."""
    lines: list[str] = []
    current = ""
    for word in filter(None, text.split(" ")):
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def render_lines(
    lines: Sequence[str], width: int, style: TextStyle, margin: int = 8
) -> Image.Image:
    """Draw ``lines`` (each wrapped to fit) into a pure black-and-white ``L`` image ``width`` wide.

    The result holds only the values 0 and 255, so converting it to 1 bit (as
    python-escpos does) is exact and the emulator can compare it pixel for pixel.
    Blocks repeat on every ticket (centre, service, footer), so they are cached;
    treat the returned image as read-only.
    """
    return _render_cached(tuple(lines), width, style, margin)


@lru_cache(maxsize=256)
def _render_cached(
    lines: tuple[str, ...], width: int, style: TextStyle, margin: int
) -> Image.Image:
    font = load_font(style.size, style.bold)
    usable = width - 2 * margin
    wrapped = [part for line in lines for part in wrap(line, font, usable)]
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + LINE_GAP
    image = Image.new("L", (width, line_height * len(wrapped) + LINE_GAP), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(wrapped):
        x = margin if style.align == "left" else (width - font.getlength(line)) / 2
        draw.text((x, LINE_GAP + row * line_height), line, font=font, fill=0)
    if style.invert:
        image = Image.eval(image, lambda value: 255 - value)
    return image.point(lambda value: 0 if value < THRESHOLD else 255)
