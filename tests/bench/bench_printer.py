"""Printer benchmark: ticket build time and driver -> emulator delivery over TCP.

Run: .venv/bin/python tests/bench/bench_printer.py [--runs N]
Prints one JSON line. Delivery is the time ``print_ticket`` takes on 127.0.0.1:
status check, the job, status check; the emulator parses and renders the job
before it answers the second check, so the figure includes its rendering too.
Target: 80 mm delivery p95 < 150 ms. Variants: 58 vs 80 mm build, and reopening
the connection for every ticket vs keeping it open.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from drivers.printer import TicketData, open_printer  # noqa: E402
from drivers.printer.emulator import PrinterEmulator  # noqa: E402
from drivers.printer.profiles import paper_profile  # noqa: E402
from drivers.printer.ticket_layout import build_ticket  # noqa: E402

_serial = itertools.count(1)


def next_ticket() -> TicketData:
    """A different ticket each call (number, people ahead, time, URL), as in the hall."""
    n = next(_serial)
    return TicketData(
        centre_name="Trung tâm Phục vụ hành chính công tỉnh Hà Nam",
        service_name="Đăng ký kinh doanh",
        number=f"A{n % 1000:03d}",
        issued_at=datetime(2026, 11, 24, 7, 0) + timedelta(minutes=n),
        tracking_url=f"https://motcua.example.vn/t/A{n % 1000:03d}-{n * 7919 % 100000:05d}",
        people_ahead=n % 40,
        priority_label="Người cao tuổi" if n % 5 == 0 else None,
        hotline="1900 1234",
    )


def timings_ms(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm caches (fonts, profiles)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=20)
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(cuts[18], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=60)
    runs = parser.parse_args().runs
    profile_80, profile_58 = paper_profile(80), paper_profile(58)
    build_80 = summary(timings_ms(lambda: build_ticket(next_ticket(), profile_80), runs))
    build_58 = summary(timings_ms(lambda: build_ticket(next_ticket(), profile_58), runs))
    with PrinterEmulator() as emulator:
        url = f"tcp://127.0.0.1:{emulator.port}"
        with open_printer(url, paper=80) as printer:
            kept_open = summary(timings_ms(lambda: printer.print_ticket(next_ticket()), runs))

        def reopen_and_print() -> None:
            with open_printer(url, paper=80) as fresh:
                fresh.print_ticket(next_ticket())

        reopened = summary(timings_ms(reopen_and_print, runs))
        delivered = len(emulator.wait_for_jobs(2 * runs + 2))
    result = {
        "bench": "printer",
        "runs": runs,
        "ticket_bytes_80mm": len(build_ticket(next_ticket(), profile_80)),
        "build_80mm": build_80,
        "build_58mm": build_58,
        "deliver_80mm_tcp": kept_open,
        "deliver_80mm_tcp_reconnect": reopened,
        "jobs_received": delivered,
        "ratio_build_58_over_80_p50": round(build_58["p50_ms"] / build_80["p50_ms"], 2),
        "ratio_reconnect_over_kept_p50": round(reopened["p50_ms"] / kept_open["p50_ms"], 2),
        "target_deliver_p95_ms": 150,
        "target_met": kept_open["p95_ms"] < 150,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
