"""Announcement synthesis time per call: espeak-ng against a recorded clip pack.

The clip pack is made once, before timing, by having espeak-ng say each word to its
own WAV file, so both variants produce the same format from the same texts.
Run: ``.venv/bin/python tests/bench/bench_audio.py`` (prints one JSON line).
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from drivers.audio.announcement import DIGITS_VI, LETTERS_VI, spoken_text
from drivers.audio.synth import ClipPackSynth, EspeakSynth, wav_duration

CALLS = 40
PHRASES = [
    "mời công dân có số", "đến quầy số", "nhắc lại", "mười", "mươi", "mốt", "tư", "lăm",
    "trăm", "linh", *DIGITS_VI, *(name.lower() for name in LETTERS_VI.values()),
]  # fmt: skip


def make_clip_pack(folder: Path, espeak: EspeakSynth) -> None:
    (folder / "vi").mkdir(parents=True)
    for phrase in PHRASES:
        (folder / "vi" / f"{phrase}.wav").write_bytes(espeak.synthesize(phrase, "vi"))


def sample_texts(count: int) -> list[str]:
    rng = random.Random(5)
    letters = "ABCDEGHKLMNPSTUVXY"
    return [
        spoken_text(
            f"{rng.choice(letters)}{rng.randrange(1000):03d}",
            rng.randrange(1, 30),
            mode=rng.choice(["digits", "number"]),
        )
        for _ in range(count)
    ]


def time_calls(synth: EspeakSynth | ClipPackSynth, texts: list[str]) -> dict[str, float]:
    durations_ms, audio_s = [], []
    for text in texts:
        start = time.perf_counter()
        wav = synth.synthesize(text, "vi")
        durations_ms.append((time.perf_counter() - start) * 1000)
        audio_s.append(wav_duration(wav))
    return {
        "median_ms": round(statistics.median(durations_ms), 2),
        "p95_ms": round(statistics.quantiles(durations_ms, n=20)[-1], 2),
        "median_audio_s": round(statistics.median(audio_s), 2),
    }


def main() -> None:
    espeak = EspeakSynth()
    texts = sample_texts(CALLS)
    start = time.perf_counter()
    sample_texts(1000)
    text_us = (time.perf_counter() - start) * 1000  # ms per 1000 = µs per call
    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "clips"
        make_clip_pack(pack, espeak)
        clips = ClipPackSynth(pack)
        results = {"espeak_ng": time_calls(espeak, texts), "clip_pack": time_calls(clips, texts)}
    print(
        json.dumps(
            {
                "bench": "audio_announcement_synthesis",
                "calls": CALLS,
                "announcement_text_us_per_call": round(text_us, 1),
                **results,
                "espeak_over_clip_pack_median": round(
                    results["espeak_ng"]["median_ms"] / results["clip_pack"]["median_ms"], 2
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
