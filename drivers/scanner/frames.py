"""Generated camera frames of damaged codes, shared by the scanner tests and the benchmark.

Each frame is a 640x480 grey image of one realistic payload (bare dossier code,
lookup URL, JSON with an id and a secret) as a QR code on a receipt in the
kiosk's guide frame, or a Code 128 row as some receipts carry, damaged the way a
kiosk camera sees it: one kind of damage at a time (:data:`DAMAGE_KINDS`, to
report per kind), the "kiosk" mix of everyday frames, or the "hard" mix (small,
JPEG 35, strong blur and glare). Everything is drawn from a seeded
:class:`random.Random`, so a set is the same on every run and machine.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.scanner.emulator import render_code_frame

DAMAGE_KINDS = (
    "perspective",
    "rotation",
    "defocus",
    "motion_blur",
    "noise",
    "low_contrast",
    "glare",
    "shadow",
    "jpeg",
    "small",
)
MIXES = ("kiosk", "hard")
# The order a camera applies them in: light on the paper, then optics, then sensor, then codec.
RENDER_MODULE_PX = 6  # drawn this fine, then shrunk to the size the camera sees
_STAGES = ("low_contrast", "shadow", "glare", "defocus", "motion_blur", "noise", "jpeg")


@dataclass(frozen=True)
class Sample:
    frame: np.ndarray
    payload: str
    symbology: str
    damage: tuple[str, ...]


def dossier_code(rng: random.Random) -> str:
    province = f"{rng.choice('ABCDEGHKLMNPQT')}{rng.randint(1, 99):02d}"
    agency = f"000.00.{rng.randint(1, 99):02d}.{province}"
    date = f"{rng.randint(20, 26):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return f"{agency}-{date}-{rng.randint(1, 9999):04d}"


def qr_payload(rng: random.Random) -> str:
    code = dossier_code(rng)
    kind = rng.choice(("code", "url", "json"))
    if kind == "code":
        return code
    if kind == "url":
        return f"https://dichvucong.example.gov.vn/tra-cuu?MHS={code}"
    secret = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=16))
    return json.dumps({"id": code, "secret": secret}, separators=(",", ":"))


def code128_payload(rng: random.Random) -> str:
    return dossier_code(rng).split(".")[-1]  # e.g. H56-231027-0361, as receipts print


def tilt(frame: np.ndarray, rng: random.Random, angle: float, skew: float) -> np.ndarray:
    """Rotate by ``angle`` degrees, move off-centre and warp the corners by up to ``skew``."""
    h, w = frame.shape[:2]
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotation[:, 2] += np.array((rng.uniform(-60, 60), rng.uniform(-40, 40)))
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    moved = cv2.transform(corners[None], rotation)[0]
    jitter = np.array(
        [[rng.uniform(-skew, skew) * w for _ in range(2)] for _ in range(4)], dtype=np.float32
    )
    homography = cv2.getPerspectiveTransform(corners, moved + jitter)
    background = int(frame.flat[0])
    return cv2.warpPerspective(
        frame, homography, (w, h), flags=cv2.INTER_LINEAR, borderValue=(background,) * 3
    )


def _shrink(frame: np.ndarray, module_px: float) -> np.ndarray:
    """The code at ``module_px`` pixels a module (any fraction, as a lens gives), each
    pixel the average of the paper it sees; the frame is padded back to full size."""
    h, w = frame.shape[:2]
    scale = module_px / RENDER_MODULE_PX
    small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    top, left = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    background = frame[0, 0].tolist()
    return cv2.copyMakeBorder(
        small, top, h - small.shape[0] - top, left, w - small.shape[1] - left,
        cv2.BORDER_CONSTANT, value=background,
    )


def _glare(img: np.ndarray, rng: random.Random, strength: float) -> np.ndarray:
    """A ceiling light's reflection: a bright blob near the code that washes it out."""
    h, w = img.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w / 2 + rng.uniform(-70, 70), h / 2 + rng.uniform(-60, 60)
    radius = rng.uniform(35, 60)
    blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2))
    return img * (1 - strength * blob) + 255 * (strength + 0.15) * blob


def _shadow(img: np.ndarray, rng: random.Random) -> np.ndarray:
    """A hand's or the kiosk's shadow: a soft-edged straight line darkens one side."""
    h, w = img.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = rng.uniform(0, 2 * np.pi)
    offset = rng.uniform(-50, 50)
    side = (xx - w / 2) * np.cos(theta) + (yy - h / 2) * np.sin(theta) - offset
    edge = 1 / (1 + np.exp(-side / rng.uniform(4, 15)))
    return img * (1 - rng.uniform(0.45, 0.7) * edge)


def _motion_kernel(length: float, angle: float) -> np.ndarray:
    size = int(np.ceil(length)) | 1
    kernel: np.ndarray = np.zeros((size, size), np.float32)
    kernel[size // 2, :] = 1
    turn = cv2.getRotationMatrix2D((size / 2 - 0.5, size / 2 - 0.5), angle, 1.0)
    kernel = cv2.warpAffine(kernel, turn, (size, size))
    return kernel / kernel.sum()


def damage(
    frame: np.ndarray, kind: str, rng: random.Random, module_px: float, *, hard: bool = False
) -> np.ndarray:
    """Apply one photometric damage; blur is scaled to the module size, as defocus is to
    print size. ``hard`` is the hard mix's strength (strong blur, JPEG quality 35)."""
    if kind == "jpeg":
        quality = 35 if hard else rng.randint(40, 70)
        _, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
        return np.asarray(cv2.imdecode(data, cv2.IMREAD_GRAYSCALE))
    img: np.ndarray = frame.astype(np.float32)
    if kind == "defocus":
        sigma = module_px * rng.uniform(*((0.35, 0.45) if hard else (0.2, 0.4)))
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    elif kind == "motion_blur":
        length = module_px * rng.uniform(*((1.0, 1.3) if hard else (0.6, 1.1)))
        img = cv2.filter2D(img, -1, _motion_kernel(length, rng.uniform(0, 180)))
    elif kind == "noise":
        img += np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(6, 15), img.shape)
    elif kind == "low_contrast":
        img = rng.uniform(90, 130) + img / 255.0 * rng.uniform(30, 50)
    elif kind == "glare":
        img = _glare(img, rng, 0.7 if hard else 0.6)
    elif kind == "shadow":
        img = _shadow(img, rng)
    else:
        raise ValueError(kind)
    return np.clip(img, 0, 255).astype(np.uint8)


def damaged_sample(
    payload: str,
    symbology: str,
    kinds: tuple[str, ...],
    rng: random.Random,
    *,
    angle: float | None = None,
    skew: float | None = None,
    hard: bool = False,
) -> Sample:
    """``payload`` in the guide frame, held a little crooked, then damaged by ``kinds``.

    Without "rotation" the receipt is within 15 degrees of upright, as the guide
    frame asks; with it, at any angle. Without "perspective" the corners move by
    up to 3 % of the frame; with it, by up to 12 %. ``angle`` and ``skew`` override.
    """
    if symbology == "qr":
        module_px: float = rng.uniform(*((2.0, 2.6) if "small" in kinds else (3.0, 4.5)))
        frame = _shrink(render_code_frame(payload, module_px=RENDER_MODULE_PX), module_px)
        turn = 180.0 if "rotation" in kinds else 15.0
    else:
        module_px = 2
        frame = render_code_frame(payload, symbology="code128", module_px=2)
        if "small" in kinds:
            module_px = 1.5
            frame = cv2.resize(frame, None, fx=0.75, fy=0.75)
            frame = cv2.copyMakeBorder(
                frame, 60, 60, 80, 80, cv2.BORDER_CONSTANT, value=frame[0, 0].tolist()
            )
        turn = 20.0
    angle = rng.uniform(-turn, turn) if angle is None else angle
    skew = (0.12 if "perspective" in kinds else 0.03) if skew is None else skew
    grey = tilt(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), rng, angle=angle, skew=skew)
    for kind in _STAGES:
        if kind in kinds:
            grey = damage(grey, kind, rng, module_px, hard=hard)
    return Sample(grey, payload, symbology, kinds)


def kind_sample(kind: str, rng: random.Random) -> Sample:
    """A QR receipt frame with one kind of damage."""
    return damaged_sample(qr_payload(rng), "qr", (kind,), rng)


def kiosk_sample(rng: random.Random) -> Sample:
    """An everyday frame: one or two kinds of damage at everyday strength."""
    kinds = tuple(sorted(rng.sample(DAMAGE_KINDS, rng.choice((1, 2)))))
    return damaged_sample(qr_payload(rng), "qr", kinds, rng)


def hard_sample(rng: random.Random) -> Sample:
    """A hard frame: a small code, JPEG 35, strong defocus or motion blur, and glare."""
    blur = rng.choice(("defocus", "motion_blur"))
    kinds = ("small", "jpeg", blur, "glare", "rotation")
    return damaged_sample(qr_payload(rng), "qr", kinds, rng, hard=True)


def _one_kind(kind: str) -> Callable[[random.Random], Sample]:
    return lambda rng: kind_sample(kind, rng)


SAMPLERS: dict[str, Callable[[random.Random], Sample]] = {
    "kiosk": kiosk_sample,
    "hard": hard_sample,
    **{kind: _one_kind(kind) for kind in DAMAGE_KINDS},
}


def frame_set(name: str, count: int, seed: int = 5) -> list[Sample]:
    """``count`` frames of one damage kind or mix (:data:`SAMPLERS`), the same for a seed."""
    rng = random.Random(f"{name}/{seed}")
    return [SAMPLERS[name](rng) for _ in range(count)]
