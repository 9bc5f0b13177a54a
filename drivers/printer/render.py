"""Draw a parsed job as the paper would look. No I/O.

Native text uses the printer's 12 x 24 dot font A cell, drawn with DejaVu Sans
Mono (a letter Mono lacks, such as Vietnamese ``ố ể Ế``, in DejaVu Sans, narrowed to
the cell) and scaled by the ``GS !`` multipliers; rasters are pasted dot for dot; QR
codes are redrawn with the ``qrcode`` library at the module size the job asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
import zxingcpp
from PIL import Image, ImageDraw, ImageOps

from drivers.printer.raster_text import load_font, load_mono_font
from drivers.printer.stream import Align, Feed, ParsedJob, QrCode, Raster, TextLine

CELL_WIDTH, CELL_HEIGHT = 12, 24
LINE_SPACING = 30
#: Where the cell's letters stand: DejaVu Sans Mono 20 px drawn from the cell's top + 1.
BASELINE = 20
_EC_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@dataclass(frozen=True, slots=True)
class RenderedJob:
    image: Image.Image
    #: (x, y, width, height) of each raster, in job order.
    raster_boxes: list[tuple[int, int, int, int]]
    #: Payloads of QR codes printed as images, looked for only in jobs without a native QR.
    image_qr_payloads: list[str]


def _text_block(op: TextLine) -> Image.Image:
    font = load_mono_font(20, op.bold)
    cells = Image.new("L", (CELL_WIDTH * len(op.text), CELL_HEIGHT), 255)
    draw = ImageDraw.Draw(cells)
    for index, char in enumerate(op.text):
        if char.isascii():
            draw.text((index * CELL_WIDTH, 1), char, font=font, fill=0)
        else:
            cells.paste(_wide_glyph(char, op.bold), (index * CELL_WIDTH, 0))
    cells = cells.point(lambda value: 0 if value < 128 else 255)  # thermal dots: on or off
    scaled = cells.resize(
        (cells.width * op.width, CELL_HEIGHT * op.height), Image.Resampling.NEAREST
    )
    block = Image.new("L", (scaled.width, LINE_SPACING - CELL_HEIGHT + scaled.height), 255)
    block.paste(scaled, (0, 0))
    return block


@lru_cache(maxsize=512)
def _wide_glyph(char: str, bold: bool) -> Image.Image:
    """One letter of DejaVu Sans (which has every precomposed Vietnamese glyph, marks
    stacked right) in a 12 x 24 cell, narrowed if it is wider."""
    font = load_font(18, bold)
    glyph = Image.new("L", (CELL_WIDTH * 2, CELL_HEIGHT), 255)
    ImageDraw.Draw(glyph).text((0, BASELINE), char, font=font, fill=0, anchor="ls")
    left, _, right, _ = ImageOps.invert(glyph).getbbox() or (0, 0, CELL_WIDTH, 0)
    inked = glyph.crop((left, 0, right, CELL_HEIGHT))
    if inked.width > CELL_WIDTH - 1:
        inked = inked.resize((CELL_WIDTH - 1, CELL_HEIGHT), Image.Resampling.LANCZOS)
    cell = Image.new("L", (CELL_WIDTH, CELL_HEIGHT), 255)
    cell.paste(inked, ((CELL_WIDTH - inked.width) // 2, 0))
    return cell


def _qr_block(op: QrCode) -> Image.Image:
    # Mask 0 instead of qrcode's search for the best of eight: it decodes the same and the
    # search would dominate the emulator's time per ticket.
    code = qrcode.QRCode(
        error_correction=_EC_LEVELS[op.error_correction],
        box_size=op.module_size,
        border=0,
        mask_pattern=0,
    )
    code.add_data(op.payload.encode("utf-8"))
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


def _x(align: Align, width: int, paper: int) -> int:
    return {"left": 0, "center": (paper - width) // 2, "right": paper - width}[align]


def read_qr_codes(image: Image.Image) -> list[str]:
    """Payloads of the QR codes drawn in an image (a raster, or a whole printed page)."""
    return [
        found.text
        for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)  # type: ignore[arg-type]
        if found.valid
    ]


def _decode_qr_rasters(job: ParsedJob) -> list[str]:
    """Payloads of QR codes a driver sent as images (printers without native QR)."""
    return [payload for raster in job.rasters for payload in read_qr_codes(raster.image)]


def render_job(job: ParsedJob, paper_dots: int) -> RenderedJob:
    blocks: list[tuple[Image.Image, int, bool]] = []
    for op in job.ops:
        if isinstance(op, Feed):
            blocks.append((Image.new("L", (paper_dots, LINE_SPACING * op.lines), 255), 0, False))
        elif isinstance(op, TextLine):
            image = _text_block(op)
            blocks.append((image, _x(op.align, image.width, paper_dots), False))
        elif isinstance(op, Raster):
            blocks.append((op.image, _x(op.align, op.image.width, paper_dots), True))
        else:
            image = _qr_block(op)
            blocks.append((image, _x(op.align, image.width, paper_dots), False))
    page = Image.new("L", (paper_dots, max(1, sum(image.height for image, _, _ in blocks))), 255)
    boxes: list[tuple[int, int, int, int]] = []
    y = 0
    for image, x, is_raster in blocks:
        page.paste(image, (max(0, x), y))
        if is_raster:
            boxes.append((max(0, x), y, image.width, image.height))
        y += image.height
    found = [] if job.qr_payloads else _decode_qr_rasters(job)
    return RenderedJob(page, boxes, found)
