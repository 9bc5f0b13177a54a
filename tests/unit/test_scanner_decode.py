"""Decoding camera frames: QR codes and Code 128 under the conditions a kiosk camera meets."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pytest
from scanner_frames import code128_payload, degraded_sample, hard_set

from drivers.scanner import decoder as decoder_module
from drivers.scanner.decoder import ZBAR_LADDER, Decoded, FrameDecoder
from drivers.scanner.emulator import render_code_frame

PAYLOADS = (
    "000.00.06.H56-231027-0361",
    "https://dichvucong.example.gov.vn/tra-cuu?MHS=000.00.16.G04-220405-0008",
    '{"id":"000.00.16.G04-220405-0008","secret":"k3v9q2m8x1p0z7w4"}',
)

CONDITIONS = {
    # name: (degradations, angle, skew)
    "rotation": ((), 37.0, 0.0),
    "upside_down": ((), 180.0, 0.0),
    "perspective": ((), 5.0, 0.1),
    "blur": (("blur",), None, None),
    "noise": (("noise",), None, None),
    "low_contrast": (("low_contrast",), None, None),
    "glare": (("glare",), None, None),
    "small": (("small",), None, None),
    "small_and_blurred": (("blur", "small"), None, None),
}


def payloads_read(decoder: FrameDecoder, frame: np.ndarray) -> list[str]:
    return [d.payload for d in decoder.decode(frame)]


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
@pytest.mark.parametrize("payload", PAYLOADS, ids=["code", "url", "json"])
def test_qr_is_read_under(condition: str, payload: str) -> None:
    degradations, angle, skew = CONDITIONS[condition]
    rng = random.Random(f"{condition}/{payload}")
    sample = degraded_sample(payload, "qr", degradations, rng, angle=angle, skew=skew)
    assert payloads_read(FrameDecoder(budget_s=None), sample.frame) == [payload]


@pytest.mark.parametrize("degradations", [(), ("blur",), ("noise",), ("glare",), ("small",)])
def test_code128_receipt_barcode_is_read(degradations: tuple[str, ...]) -> None:
    rng = random.Random(f"code128/{degradations}")
    payload = code128_payload(rng)
    sample = degraded_sample(payload, "code128", degradations, rng)
    assert payloads_read(FrameDecoder(budget_s=None), sample.frame) == [payload]


@pytest.mark.parametrize("condition", ["rotation", "perspective", "low_contrast", "glare", "small"])
def test_pyzbar_alone_reads_the_common_conditions(condition: str) -> None:
    """Without zxing-cpp installed the kiosk still reads receipts with pyzbar's ladder."""
    degradations, angle, skew = CONDITIONS[condition]
    payload = PAYLOADS[1]
    sample = degraded_sample(
        payload, "qr", degradations, random.Random(condition), angle=angle, skew=skew
    )
    assert payloads_read(FrameDecoder(ZBAR_LADDER, budget_s=None), sample.frame) == [payload]


def test_frame_without_a_code_reads_nothing() -> None:
    blank = np.full((480, 640, 3), 157, dtype=np.uint8)
    assert FrameDecoder(budget_s=None).decode(blank) == []


def test_preprocessing_retries_read_frames_the_plain_decode_misses() -> None:
    samples = hard_set(24, seed=3)
    ladder = FrameDecoder(budget_s=None)
    first_step_only = FrameDecoder(ladder.ladder[:1], budget_s=None)
    plain_hits = sum(s.payload in payloads_read(first_step_only, s.frame) for s in samples)
    ladder_hits = sum(s.payload in payloads_read(ladder, s.frame) for s in samples)
    assert ladder_hits >= plain_hits + 3
    assert ladder_hits >= 22


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


STEP_NAMES = ("s0", "s1", "s2", "s3", "s4", "s5")


@pytest.fixture
def steps_run(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], ManualClock]:
    """Fake steps that read nothing; each takes 10 ms of a manual clock, "slow" 100 ms."""
    run: list[str] = []
    clock = ManualClock()

    def preprocess(name: str) -> Callable[[np.ndarray], np.ndarray]:
        def step(gray: np.ndarray) -> np.ndarray:
            run.append(name)
            clock.now += 0.100 if name == "slow" else 0.010
            return gray

        return step

    monkeypatch.setitem(decoder_module.ENGINES, "fake", lambda gray: [])
    for name in (*STEP_NAMES, "slow"):
        monkeypatch.setitem(decoder_module.PREPROCESSORS, name, preprocess(name))
    return run, clock


def test_retries_stop_at_the_budget_and_resume_on_the_next_frame(
    steps_run: tuple[list[str], ManualClock],
) -> None:
    """GIVEN steps of 10 ms and a 35 ms budget THEN a frame runs the first step and the
    retries that fit, and the next frame resumes with the retries the first one skipped."""
    run, clock = steps_run
    decoder = FrameDecoder([("fake", n) for n in STEP_NAMES], budget_s=0.035, clock=clock)
    frame = np.zeros((48, 64), dtype=np.uint8)
    decoder.decode(frame)
    assert run == ["s0", "s1", "s2", "s3"]
    run.clear()
    decoder.decode(frame)
    assert run == ["s0", "s4", "s5"]
    run.clear()
    decoder.decode(frame)
    assert run == ["s0", "s1", "s2"]


def test_a_retry_dearer_than_the_budget_takes_its_turn_without_blocking_the_others(
    steps_run: tuple[list[str], ManualClock],
) -> None:
    run, clock = steps_run
    decoder = FrameDecoder(
        [("fake", "s0"), ("fake", "slow"), ("fake", "s2")], budget_s=0.035, clock=clock
    )
    frame = np.zeros((48, 64), dtype=np.uint8)
    per_frame = []
    for _ in range(3):
        run.clear()
        decoder.decode(frame)
        per_frame.append(list(run))
    assert per_frame == [["s0", "slow"], ["s0", "s2"], ["s0", "slow"]]


def test_without_a_budget_every_step_runs(steps_run: tuple[list[str], ManualClock]) -> None:
    run, clock = steps_run
    decoder = FrameDecoder([("fake", n) for n in STEP_NAMES], budget_s=None, clock=clock)
    decoder.decode(np.zeros((48, 64), dtype=np.uint8))
    assert run == list(STEP_NAMES)


def test_first_hit_ends_the_ladder(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def engine(gray: np.ndarray) -> list[Decoded]:
        calls.append(gray.shape[0])
        return [Decoded("A023", "QRCode")] if gray.shape[0] > 48 else []

    monkeypatch.setitem(decoder_module.ENGINES, "fake", engine)
    decoder = FrameDecoder([("fake", "gray"), ("fake", "upscale"), ("fake", "sharpen")])
    assert decoder.decode(np.zeros((48, 64), dtype=np.uint8)) == [Decoded("A023", "QRCode")]
    assert calls == [48, 96]


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="nope"):
        FrameDecoder([("nope", "gray")])


def test_clean_frame_decodes_on_the_first_step_in_colour_or_grey() -> None:
    frame = render_code_frame(PAYLOADS[0])
    decoder = FrameDecoder()
    assert payloads_read(decoder, frame) == [PAYLOADS[0]]
    assert payloads_read(decoder, frame[:, :, 0]) == [PAYLOADS[0]]
