"""Scanner benchmark: decode rate, wrong payloads and time per 640x480 grey frame, per
kind of damage and for the "kiosk" and "hard" mixes (drivers/scanner/frames.py).

Each set is decoded one frame at a time by the kiosk's decoder (one instance for
all frames, as on the camera thread), and for comparison the kiosk and hard mixes
by the same ladder without a budget and by zxing-cpp on the plain frame alone.
Also the camera pipeline's frame rate. The sets are seeded, so a run on another
machine decodes the same frames. Prints one JSON line.

    .venv/bin/python tests/bench/bench_scanner.py [--frames 300] [--seed 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from drivers.scanner.camera import CameraScanner  # noqa: E402
from drivers.scanner.decoder import ZXING_LADDER, FrameDecoder  # noqa: E402
from drivers.scanner.emulator import ImageFrameSource  # noqa: E402
from drivers.scanner.frames import DAMAGE_KINDS, MIXES, Sample, frame_set  # noqa: E402

Reader = Callable[[np.ndarray], list[str]]
TARGETS = {"kiosk": 0.97, "hard": 0.80}


def ladder_reader(decoder: FrameDecoder) -> Reader:
    return lambda frame: [d.payload for d in decoder.decode(frame)]


def measure(read: Reader, samples: list[Sample]) -> dict[str, float]:
    """Share of frames read, frames read as something else, and time per frame."""
    times, hits, wrong = [], 0, 0
    for sample in samples:
        start = time.perf_counter()
        payloads = read(sample.frame)
        times.append(time.perf_counter() - start)
        hits += sample.payload in payloads
        wrong += any(p != sample.payload for p in payloads)
    return {
        "rate": round(hits / len(samples), 4),
        "wrong": wrong,
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(float(np.percentile(times, 95)) * 1000, 2),
    }


def pipeline_fps(frames: list[np.ndarray]) -> float:
    """Frames per second through the camera thread (capture from memory, decode, deliver)."""
    scanner = CameraScanner(ImageFrameSource(frames), lambda scan: None)
    start = time.perf_counter()
    with scanner:
        scanner.wait()
    return round(scanner.frames_read / (time.perf_counter() - start), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    sets = {name: frame_set(name, args.frames, args.seed) for name in (*MIXES, *DAMAGE_KINDS)}
    kiosk = ladder_reader(FrameDecoder())
    per_set = {name: measure(kiosk, samples) for name, samples in sets.items()}
    others: dict[str, Reader] = {
        "unbounded": ladder_reader(FrameDecoder(budget_s=None)),
        "zxing_plain": ladder_reader(FrameDecoder(ZXING_LADDER[:1])),
    }
    compared = {
        name: {mix: measure(read, sets[mix]) for mix in MIXES} for name, read in others.items()
    }
    blank = np.full((480, 640), 157, dtype=np.uint8)
    fps = {
        "hard_frames": pipeline_fps([s.frame for s in sets["hard"]]),
        "frames_without_code": pipeline_fps([blank] * 150),
    }
    every = list(per_set.values())
    print(
        json.dumps(
            {
                "bench": "scanner",
                "frames_per_set": args.frames,
                "seed": args.seed,
                "frame": "640x480 grey",
                "cpus": os.cpu_count(),
                "load_1m_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                "default": per_set,
                "compared": compared,
                "pipeline_fps": fps,
                "targets_met": {
                    **{f"{mix}_rate_ge_{goal}": per_set[mix]["rate"] >= goal
                       for mix, goal in TARGETS.items()},
                    "no_wrong_payload": all(r["wrong"] == 0 for r in every),
                    "median_lt_15ms": all(r["median_ms"] < 15 for r in every),
                    "p95_lt_60ms": all(r["p95_ms"] < 60 for r in every),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
