"""Dossier codes parsed per second, from clean and messy input and QR payloads.

Run: .venv/bin/python tests/bench/bench_dossier_codes.py  -> one JSON line.
Rates are codes per second on this machine; ``*_ratio`` compare each variant
with parsing the canonical form.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from device_kit.contract.dossier_codes import parse_code  # noqa: E402
from device_kit.contract.qr_payload import extract_code  # noqa: E402

COUNT = 20_000
ROUNDS = 3


def canonical(rng: random.Random) -> str:
    province = f"{rng.choice('ABCDEGHKLMNPQT')}{rng.randint(1, 99):02d}"
    agency = (
        f"{province}.{rng.randint(1, 30)}"
        if rng.random() < 0.2
        else f"000.00.{rng.randint(1, 99):02d}.{province}"
    )
    day = f"{rng.randint(18, 26):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return f"{agency}-{day}-{rng.randint(1, 9999):04d}"


def messy(rng: random.Random, code: str) -> str:
    out = []
    for ch in code:
        if ch == "-":
            ch = rng.choice(["-", " ", "_", " – ", "\u2212"])
        elif ch.isalpha() and rng.random() < 0.5:
            ch = ch.lower()
        elif ch.isdigit() and rng.random() < 0.05:
            ch = chr(ord(ch) + 0xFEE0)
        if rng.random() < 0.03:
            ch = "\u200b" + ch
        out.append(ch)
    return " " + "".join(out) + rng.choice(["", "\r\n", "  "])


def rate(parse: Callable[[str], object], inputs: list[str]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for text in inputs:
            parse(text)
        best = min(best, time.perf_counter() - start)
    return len(inputs) / best


def main() -> None:
    rng = random.Random(8)
    codes = [canonical(rng) for _ in range(COUNT)]
    variants = {
        "canonical": (parse_code, codes),
        "messy": (parse_code, [messy(rng, c) for c in codes]),
        "messy_via_extract": (extract_code, [messy(rng, c) for c in codes]),
        "url_payload": (
            extract_code,
            [f"https://dichvucong.example.gov.vn/tra-cuu?cccd=079203012345&MHS={c}" for c in codes],
        ),
        "json_payload": (extract_code, [json.dumps({"id": c, "secret": "k9"}) for c in codes]),
        "sms_like_text": (extract_code, [f"Cho hoi ho so {c} da xong chua" for c in codes]),
    }
    rates = {name: rate(parse, inputs) for name, (parse, inputs) in variants.items()}
    result: dict[str, object] = {"bench": "dossier_codes", "count": COUNT}
    result.update({f"{name}_per_s": round(r) for name, r in rates.items()})
    result.update({f"{name}_ratio": round(r / rates["canonical"], 3) for name, r in rates.items()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
