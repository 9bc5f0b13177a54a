"""Call API response -> number drawn on the Kivy hall board, and -> LED board frame.

Starts the real server (``motcua-server run``) on a fresh SQLite database, the
hall board app headless (offscreen SDL) tracing each drawn frame, and the LED
bridge in this process driving an emulated LED bus over a pty. Then makes
``--calls`` call-next requests one after the other, rotating over counters 1-6,
and for each waits until the board has drawn the number and the LED emulator
has received its frame. Prints one JSON line (milliseconds).

    .venv/bin/python tests/bench/bench_board.py [--calls 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests" / "integration"), str(ROOT / "tests" / "e2e")]

from kivy_process import KivyProcess  # noqa: E402
from live_server import LiveServer  # noqa: E402
from server_fixtures import build_runtime, seed_callers  # noqa: E402

from device_kit.event_stream import EventStream, StreamConfig  # noqa: E402
from display_board.led_bridge import LedBridge, LedRoute  # noqa: E402
from drivers.led import open_led_bus  # noqa: E402
from drivers.led.emulator import LedEmulator  # noqa: E402
from drivers.led.protocol import LedCommand  # noqa: E402
from drivers.serial_frame import Frame  # noqa: E402

SERVICE_OF = {
    1: "dat-dai",
    2: "xay-dung",
    3: "ho-tich",
    4: "ldtbxh",
    5: "dang-ky-kinh-doanh",
    6: "tra-ket-qua",
}


class TimedLedEmulator(LedEmulator):
    """Remembers when each number frame arrived (this process's clock)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: dict[tuple[int, str], float] = {}

    def handle(self, frame: Frame) -> Any:
        if frame.command == LedCommand.SHOW_NUMBER:
            self.arrivals.setdefault((frame.address, frame.payload.decode()), time.time())
        return super().handle(frame)


class TraceTail:
    """New lines of the board's frame trace, read incrementally."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.pending = b""

    def lines(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as trace:
            trace.seek(self.offset)
            data = trace.read()
        self.offset += len(data)
        self.pending += data
        *complete, self.pending = self.pending.split(b"\n")
        return [json.loads(line) for line in complete if line]


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50": round(cut[49] * 1000, 1),
        "p99": round(cut[98] * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-board-"))
    url = f"sqlite:///{work / 'motcua.db'}"
    runtime = build_runtime(url, None, work, lambda: datetime.now(UTC))
    tokens, counters = seed_callers(runtime)
    runtime.db.dispose()
    server = LiveServer(url, work).start()
    api = f"{server.url}/api/v1"
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
    per_counter = 2 * (args.calls // 6 + 2)  # counters 2 and 4 also take from 1 and 3
    for service in SERVICE_OF.values():
        for _ in range(per_counter):
            issued = requests.post(
                f"{api}/tickets", json={"service": service}, headers=kiosk, timeout=10
            )
            issued.raise_for_status()

    trace = work / "trace.jsonl"
    board = KivyProcess(
        [
            "-m",
            "display_board.main",
            "--server",
            server.url,
            "--token",
            tokens["board"],
            "hall",
            "--windowed",
            "--size",
            "1920x1080",
            "--counters",
            "1-6",
            "--audio",
            "off",
            "--trace",
            str(trace),
        ],
        work,
        "board",
    ).start()
    emulator = TimedLedEmulator(addresses=range(1, 7), link=work / "ttyLED").start()
    bridge = LedBridge(
        [LedRoute(n, emulator.path, n) for n in range(1, 7)],
        open_bus=lambda port: open_led_bus(port, timeout=0.5),
    ).start()
    stream = EventStream(StreamConfig(server.url, tokens["board"]), bridge).start()
    tail = TraceTail(trace)
    deadline = time.monotonic() + 90
    while not tail.lines():
        if time.monotonic() > deadline or not board.alive():
            raise SystemExit(f"board did not start: {board.tail()}")
        time.sleep(0.05)
    time.sleep(1.0)

    api_s: list[float] = []
    board_s: list[float] = []
    led_s: list[float] = []
    try:
        for i in range(args.calls):
            counter = i % 6 + 1
            sent = time.time()
            answer = requests.post(
                f"{api}/counters/{counters[counter]}/call-next", headers=admin, timeout=10
            )
            answered = time.time()
            assert answer.status_code == 200, f"nobody waits at counter {counter}"
            number = answer.json()["number"]
            api_s.append(answered - sent)
            drawn = None
            limit = time.monotonic() + 10
            while drawn is None or (counter, number) not in emulator.arrivals:
                for frame in tail.lines():
                    if drawn is None and frame["numbers"][counter - 1] == number:
                        drawn = frame["t"]
                if time.monotonic() > limit:
                    raise SystemExit(f"call {i} ({number} at {counter}) never shown")
                time.sleep(0.002)
            board_s.append(drawn - answered)
            led_s.append(emulator.arrivals[(counter, number)] - answered)
    finally:
        stream.stop()
        bridge.stop()
        emulator.stop()
        board.stop()
        server.stop()
    board_p = percentiles(board_s)
    led_p = percentiles(led_s)
    print(
        json.dumps(
            {
                "calls": args.calls,
                "api_response_ms": percentiles(api_s),
                "response_to_board_drawn_ms": board_p,
                "response_to_led_frame_ms": led_p,
                "board_over_led_p50": round(board_p["p50"] / led_p["p50"], 2)
                if led_p["p50"]
                else None,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
