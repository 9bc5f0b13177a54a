"""Generated camera frames of hard-to-read codes, shared by scanner tests and the benchmark.

Each frame is a 640x480 BGR image of one realistic payload (bare dossier code,
lookup URL, JSON with an id and a secret) as a QR code, or a Code 128 row as some
receipts carry, degraded the way a kiosk camera sees it: tilted, seen at an
angle, out of focus, noisy, dim, under a ceiling light's glare, or small.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.scanner.emulator import render_code_frame

DEGRADATIONS = ("blur", "noise", "low_contrast", "glare", "small")


@dataclass(frozen=True)
class Sample:
    frame: np.ndarray
    payload: str
    symbology: str
    degradations: tuple[str, ...]


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
    rotation[:, 2] += (rng.uniform(-60, 60), rng.uniform(-40, 40))
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    moved = cv2.transform(corners[None], rotation)[0]
    jitter = np.float32([[rng.uniform(-skew, skew) * w for _ in range(2)] for _ in range(4)])
    homography = cv2.getPerspectiveTransform(corners, moved + jitter)
    background = int(frame[0, 0, 0])
    return cv2.warpPerspective(
        frame, homography, (w, h), flags=cv2.INTER_LINEAR, borderValue=(background,) * 3
    )


def degrade(frame: np.ndarray, name: str, rng: random.Random, module_px: float) -> np.ndarray:
    """Apply one degradation; blur is scaled to the module size, as defocus is to print size."""
    img = frame.astype(np.float32)
    if name == "blur":
        img = cv2.GaussianBlur(img, (0, 0), module_px * rng.uniform(0.3, 0.5))
    elif name == "noise":
        img += np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(6, 15), img.shape)
    elif name == "low_contrast":
        low = rng.uniform(90, 130)
        img = low + img / 255.0 * rng.uniform(30, 50)
    elif name == "glare":
        h, w = img.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = w / 2 + rng.uniform(-70, 70), h / 2 + rng.uniform(-60, 60)
        radius = rng.uniform(35, 60)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2))
        img = img * (1 - 0.6 * blob[..., None]) + 255 * 0.75 * blob[..., None]
    else:
        raise ValueError(name)
    return np.clip(img, 0, 255).astype(np.uint8)


def degraded_sample(
    payload: str,
    symbology: str,
    degradations: tuple[str, ...],
    rng: random.Random,
    *,
    angle: float | None = None,
    skew: float | None = None,
) -> Sample:
    """``payload`` tilted by ``angle`` (random if None) and warped, then degraded."""
    if symbology == "qr":
        module_px: float = 2 if "small" in degradations else rng.choice((3, 4))
        frame = render_code_frame(payload, module_px=int(module_px))
        angle = rng.uniform(-180, 180) if angle is None else angle
        skew = 0.08 if skew is None else skew
    else:
        module_px = 2
        frame = render_code_frame(payload, symbology="code128", module_px=2)
        if "small" in degradations:
            module_px = 1.5
            frame = cv2.resize(frame, None, fx=0.75, fy=0.75)
            frame = cv2.copyMakeBorder(
                frame, 60, 60, 80, 80, cv2.BORDER_CONSTANT, value=frame[0, 0].tolist()
            )
        angle = rng.uniform(-20, 20) if angle is None else angle
        skew = 0.04 if skew is None else skew
    frame = tilt(frame, rng, angle=angle, skew=skew)
    for name in degradations:
        if name != "small":
            frame = degrade(frame, name, rng, module_px)
    return Sample(frame, payload, symbology, degradations)


def hard_sample(rng: random.Random) -> Sample:
    """One frame: always tilted and at an angle, plus two degradations."""
    symbology = "code128" if rng.random() < 0.15 else "qr"
    picked = tuple(sorted(rng.sample(DEGRADATIONS, 2)))
    payload = qr_payload(rng) if symbology == "qr" else code128_payload(rng)
    return degraded_sample(payload, symbology, picked, rng)


def hard_set(count: int, seed: int = 5) -> list[Sample]:
    rng = random.Random(seed)
    return [hard_sample(rng) for _ in range(count)]
