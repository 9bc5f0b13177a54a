"""Barcode decoding of camera frames: a ladder of decoder and preprocessing steps.

zxing-cpp is the one decoder: it reads more of the hard frames a kiosk camera
sees than pyzbar did, in less time, and pyzbar at the end of the ladder read no
frame zxing-cpp's steps missed (800 generated kiosk and hard frames), so it is
no longer a dependency. When the plain frame does not decode, the frame is
retried preprocessed for what usually defeats a read: small codes (upscale),
blur (sharpen), glare (flatten the lighting), low contrast and noise (CLAHE),
tilted and noisy 1D codes (turn upright, smooth along the bars). zxing-cpp's own options
do part of the work: its retries (rotation, inversion, downscaled copies) on the
plain frame, and QR-only reads without them on the enlarged code region. Retries
stop at a per-frame time budget, and every frame starts the ladder afresh.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Decoded:
    payload: str
    symbology: str

    def __repr__(self) -> str:
        return f"Decoded(symbology={self.symbology!r}, length={len(self.payload)})"


Engine = Callable[[np.ndarray], list[Decoded]]
Preprocess = Callable[[np.ndarray], np.ndarray]

def zxing_engine(gray: np.ndarray) -> list[Decoded]:
    """zxing-cpp on the frame as the camera gave it, every symbology a receipt carries;
    its own retries stay on (turned 1D codes, light-on-dark prints, downscaled copies)."""
    formats = (
        zxingcpp.BarcodeFormat.QRCode,
        zxingcpp.BarcodeFormat.Code128,
        zxingcpp.BarcodeFormat.Code39,
        zxingcpp.BarcodeFormat.EAN13,
        zxingcpp.BarcodeFormat.ITF,
    )
    return [
        Decoded(r.text, r.format.name)
        for r in zxingcpp.read_barcodes(gray, formats=formats)  # type: ignore[arg-type]
        if r.valid
    ]


def zxing_qr_engine(gray: np.ndarray) -> list[Decoded]:
    """zxing-cpp for QR codes only, on an image preprocessed for it: no rotation or
    inversion passes (a QR code reads at any angle and receipts print dark on light),
    no downscaled copies (the image was enlarged on purpose). About 3x faster."""
    return [
        Decoded(r.text, r.format.name)
        for r in zxingcpp.read_barcodes(
            gray,
            formats=zxingcpp.BarcodeFormat.QRCode,  # type: ignore[arg-type]
            try_rotate=False,
            try_invert=False,
            try_downscale=False,
        )
        if r.valid
    ]


ENGINES: dict[str, Engine] = {"zxing": zxing_engine, "zxing_qr": zxing_qr_engine}


def upscale(gray: np.ndarray) -> np.ndarray:
    """Twice the pixels per module, for codes far from the camera."""
    return cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)


def sharpen(gray: np.ndarray) -> np.ndarray:
    """Unsharp mask: restores module edges softened by defocus or motion."""
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 2), -1.0, 0)


def upscale_sharpen(gray: np.ndarray) -> np.ndarray:
    return sharpen(upscale(gray))


def smooth_bars(gray: np.ndarray) -> np.ndarray:
    """Average along the bars of an upright 1D barcode (noise goes, bar edges stay),
    then widen it twice: a Code 128 row at under two pixels per module then reads."""
    smooth = cv2.blur(gray, (1, 15))
    return cv2.resize(smooth, None, fx=2, fy=1, interpolation=cv2.INTER_CUBIC)


def bar_angle(gray: np.ndarray) -> float:
    """Tilt of a 1D barcode in degrees: the strongest gradient direction (at half scale)."""
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    magnitude, direction = cv2.cartToPolar(gx, gy, angleInDegrees=True)
    bins = (direction.ravel() % 180).astype(int) % 180
    histogram = np.bincount(bins, weights=magnitude.ravel(), minlength=180)
    smoothed = np.convolve(np.r_[histogram[-3:], histogram, histogram[:3]], np.ones(7), "valid")
    peak = int(np.argmax(smoothed))
    return float(peak if peak <= 90 else peak - 180)


def deskew_bars(gray: np.ndarray) -> np.ndarray:
    """Turn a tilted 1D barcode upright, then :func:`smooth_bars`: a scan line must
    cross the whole code, which a short, tilted Code 128 row does not allow."""
    height, width = gray.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), bar_angle(gray), 1.0)
    upright = cv2.warpAffine(
        gray, turn, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return smooth_bars(upright)


def code_region(gray: np.ndarray) -> np.ndarray:
    """The part of the frame around the code: the largest patch of strong local
    contrast (found at quarter scale), with a margin. Enlarging that patch instead of
    the whole frame costs a ninth as much."""
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    edges = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, mask = cv2.threshold(edges, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    blobs = cv2.dilate(mask, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(blobs)
    if count < 2:
        return gray
    x, y, w, h = (int(v) * 4 for v in stats[1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])), :4])
    margin = 16
    return gray[max(0, y - margin) : y + h + margin, max(0, x - margin) : x + w + margin]


def even_contrast(gray: np.ndarray, size: int) -> np.ndarray:
    """Each pixel as standard deviations from its neighbourhood's mean (a ``size``-pixel
    box): a glare patch's faint modules get the contrast of the rest of the code."""
    img = gray.astype(np.float32)
    mean = cv2.blur(img, (size, size))
    spread = cv2.blur((img - mean) ** 2, (size, size))
    return np.clip(128 + 50 * (img - mean) / np.sqrt(spread + 25), 0, 255).astype(np.uint8)


# A code region (or a frame with none found) is enlarged to at most this many pixels
# a side: a frame without a code then costs a few milliseconds, not fifty.
UPSCALED_MAX_PX = 960


def upscale3_sharpen(gray: np.ndarray) -> np.ndarray:
    """Three times larger (at most :data:`UPSCALED_MAX_PX`), then an unsharp mask at that
    scale: a small code blurred and JPEG-compressed gets modules big enough to sample
    between the artefacts."""
    scale = min(3.0, UPSCALED_MAX_PX / max(gray.shape))
    large = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.addWeighted(large, 2.0, cv2.GaussianBlur(large, (0, 0), 3), -1.0, 0)


def region_upscale_sharpen(gray: np.ndarray) -> np.ndarray:
    return upscale3_sharpen(code_region(gray))


def region_even_upscale_sharpen(gray: np.ndarray) -> np.ndarray:
    """Glare evened out at the camera's scale, then enlarged and sharpened."""
    return upscale3_sharpen(even_contrast(code_region(gray), 25))


def region_upscale_sharpen_even(gray: np.ndarray) -> np.ndarray:
    """Enlarged and sharpened first, glare evened out at the enlarged scale."""
    return even_contrast(region_upscale_sharpen(gray), 61)


def clahe(gray: np.ndarray) -> np.ndarray:
    """Local contrast equalisation for dim or washed-out prints."""
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def flatten_glare(gray: np.ndarray) -> np.ndarray:
    """Divide by the lighting (estimated at 1/8 scale) so a glare patch is no brighter."""
    small = cv2.resize(gray, None, fx=1 / 8, fy=1 / 8, interpolation=cv2.INTER_AREA)
    light = cv2.dilate(small, np.ones((5, 5), np.uint8))
    light = cv2.resize(light, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, light, scale=255)


PREPROCESSORS: dict[str, Preprocess] = {
    "gray": lambda gray: gray,
    "upscale": upscale,
    "sharpen": sharpen,
    "upscale_sharpen": upscale_sharpen,
    "smooth_bars": smooth_bars,
    "deskew_bars": deskew_bars,
    "clahe": clahe,
    "region_upscale_sharpen": region_upscale_sharpen,
    "region_even_upscale_sharpen": region_even_upscale_sharpen,
    "region_upscale_sharpen_even": region_upscale_sharpen_even,
    "flatten_glare": flatten_glare,
}

Step = tuple[str, str]  # (engine, preprocessor)

# Order chosen on the generated frames (drivers/scanner/frames.py, measured by
# tests/bench/bench_scanner.py): the plain frame reads nearly every kiosk frame in
# about a millisecond; the region steps read most of the hard ones (small, blurred,
# JPEG, glare) in 2-5 ms; then small and tilted 1D codes, then the older retries.
ZXING_LADDER: tuple[Step, ...] = (
    ("zxing", "gray"),
    ("zxing_qr", "region_even_upscale_sharpen"),
    ("zxing_qr", "region_upscale_sharpen"),
    ("zxing_qr", "upscale_sharpen"),
    ("zxing_qr", "region_upscale_sharpen_even"),
    ("zxing", "upscale"),
    ("zxing", "deskew_bars"),
    ("zxing", "smooth_bars"),
    ("zxing", "sharpen"),
    ("zxing", "flatten_glare"),
    ("zxing", "clahe"),
)


def to_gray(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


class FrameDecoder:
    """Decodes each frame on its own: the ladder's steps in order until one reads a code,
    starting a retry only while the frame has spent less than ``budget_s``.

    Nothing is carried from one frame to the next, so what a frame tries, and reads,
    never depends on the frames before it (a decoder that resumed its ladder where
    the last frame stopped skipped the step that would have read the next one).
    The first step always runs; a retry started in time may end past the budget.
    ``budget_s=None`` runs the whole ladder, as for a still photo.
    """

    def __init__(
        self,
        ladder: Sequence[Step] | None = None,
        *,
        budget_s: float | None = 0.040,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.ladder = tuple(ladder or ZXING_LADDER)
        unknown = {engine for engine, _ in self.ladder} - ENGINES.keys()
        if unknown:
            raise ValueError(f"decoder engines not available: {sorted(unknown)}")
        self.budget_s = budget_s
        self._clock = clock

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        start = self._clock()
        gray = to_gray(frame)
        found: list[Decoded] = []
        for index, (engine, preprocess) in enumerate(self.ladder):
            if index and self.budget_s is not None and self._clock() - start >= self.budget_s:
                break
            found = ENGINES[engine](PREPROCESSORS[preprocess](gray))
            if found:
                log.debug("decoded %s", ", ".join(f"{d.symbology}/{len(d.payload)}" for d in found))
                break
        return found
