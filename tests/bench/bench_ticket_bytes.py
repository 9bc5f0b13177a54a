"""Ticket size on the wire and its transfer time per printer profile and baud rate.

Run: .venv/bin/python tests/bench/bench_ticket_bytes.py
Prints one JSON line: for each profile (TM-T88V, TM-T20II, POS-5890, default) and
each way of printing Vietnamese (``raster``, ``codepage``: the model's own page,
:mod:`drivers.printer.codepage`), the bytes of an ordinary 80 mm (58 mm for the
POS-5890) queue ticket and of one with a priority band, and the seconds they take
on a serial link at 9600, 19200 and 115200 baud (8N1: ten bits a byte; the wire
time, which dominates: a printer prints faster than 9600 baud delivers), plus the
time to build the bytes. Target: the 80 mm TM-T88V ticket ≤ 4 KB and < 5 s at 9600.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from drivers.printer.codepage import TextMode  # noqa: E402
from drivers.printer.profiles import paper_profile  # noqa: E402
from drivers.printer.ticket_layout import TicketData, build_ticket  # noqa: E402

BAUDS = (9600, 19200, 115200)
BITS_PER_BYTE = 10  # start, 8 data, stop
PROFILES = {"TM-T88V": 80, "TM-T20II": 80, "POS-5890": 58, "default": 80}
MODES: tuple[TextMode, ...] = ("raster", "codepage")
TARGET_BYTES, TARGET_S = 4096, 5.0


def ticket(priority: str | None = None) -> TicketData:
    return TicketData(
        centre_name="Trung tâm Phục vụ hành chính công tỉnh Hà Nam",
        service_name="Đăng ký kinh doanh",
        number="A023",
        issued_at=datetime(2026, 11, 24, 9, 5),
        tracking_url="https://motcua.example.vn/t/A023-7f3k",
        people_ahead=5,
        priority_label=priority,
        hotline="1900 1234",
    )


def measure(model: str, paper: int, mode: TextMode) -> dict[str, object]:
    profile = paper_profile(paper, model, mode)
    start = time.perf_counter()
    ordinary = build_ticket(ticket(), profile)
    build_ms = (time.perf_counter() - start) * 1000
    priority = build_ticket(ticket("Người cao tuổi"), profile)
    return {
        "page": profile.text.name if profile.text else None,
        "bytes": len(ordinary),
        "seconds": {str(baud): round(len(ordinary) * BITS_PER_BYTE / baud, 2) for baud in BAUDS},
        "priority_bytes": len(priority),
        "priority_seconds_9600": round(len(priority) * BITS_PER_BYTE / 9600, 2),
        "first_build_ms": round(build_ms, 1),
    }


def main() -> None:
    # python-escpos prints a notice on stdout for every image on a profile without a
    # declared width ("default"); the JSON line must stay alone there.
    with contextlib.redirect_stdout(io.StringIO()):
        results = {
            model: {"paper_mm": paper, **{mode: measure(model, paper, mode) for mode in MODES}}
            for model, paper in PROFILES.items()
        }
    tm_t88v = results["TM-T88V"]["codepage"]
    assert isinstance(tm_t88v, dict)
    seconds = tm_t88v["bytes"] * BITS_PER_BYTE / 9600
    results["target_tm_t88v_80mm"] = {
        "bytes": tm_t88v["bytes"],
        "max_bytes": TARGET_BYTES,
        "seconds_9600": round(seconds, 2),
        "max_seconds_9600": TARGET_S,
        "met": tm_t88v["bytes"] <= TARGET_BYTES and seconds < TARGET_S,
    }
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
