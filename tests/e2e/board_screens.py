"""Draw the hall board or the rating terminal from a made-up state and save a PNG.

Run as its own process (Kivy's window is process-global)::

    python tests/e2e/board_screens.py hall 1920x1080 8 out.png
    python tests/e2e/board_screens.py rating 800x480 ask out.png
    python tests/e2e/board_screens.py pairing 1920x1080 482913 out.png
    python tests/e2e/board_screens.py pairing 1920x1080 confirm out.png
    python tests/e2e/board_screens.py rating-pairing 800x480 482913+fp out.png
    MOTCUA_TOKEN=… python tests/e2e/board_screens.py live 1366x768 http://127.0.0.1:8000 out.png

``live`` is the board as ``motcua-board hall`` wires it, on what a running server
gives it when it connects (the counters and the last calls), drawn once the last
calls are listed.

Prints one JSON line: the texts of the drawn widget tree and, for the hall
board, the tiles the board's model says are shown (for the test to compare).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("KIVY_NO_ARGS", "1")

os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-"))

SERVICES = ["dat-dai", "ho-tich", "xay-dung", "ldtbxh", "dang-ky-kinh-doanh"]
NAMES = ["Đất đai", "Hộ tịch", "Xây dựng", "Lao động – TB&XH", "Đăng ký kinh doanh"]


def hall_view(counters: int):  # noqa: ANN201 - built after Kivy is configured
    from device_kit.event_stream import Event
    from display_board.board_state import BoardModel
    from display_board.controller import HallController, HallLayout

    controller = HallController(HallLayout(columns=4 if counters <= 8 else 5), None)
    controller.site_info = {
        "name_vi": "Trung tâm Phục vụ hành chính công tỉnh Hưng Yên",
        "name_en": "Hung Yen Public Administrative Service Centre",
        "ticker_vi": "Giờ làm việc: sáng 7:00–11:30, chiều 13:30–17:00. Đường dây nóng 1900 1234.",
        "ticker_en": "Opening hours 7:00–11:30 and 13:30–17:00.",
    }
    rows = []
    for n in range(1, counters + 1):
        paused = n % 7 == 0
        rows.append(
            {
                "id": n,
                "number": n,
                "name": f"Quầy {n} – {NAMES[n % len(NAMES)]}",
                "state": "paused" if paused else "open",
                "pause_reason": "Họp giao ban" if paused else None,
                "current_ticket": None
                if paused or n % 5 == 0
                else {"id": n, "number": f"{'ABCDE'[n % 5]}{n * 7 % 1000:03d}"},
            }
        )
    controller.on_snapshot({"site": "hy", "last_event_id": 100, "counters": rows})
    model: BoardModel = controller.model
    for i, n in enumerate((1, 2, 3, 4, 6, 3), start=101):
        number = f"B{i - 80:03d}"
        controller.on_event(
            Event(i, "ticket.called", {"counter": n, "ticket": {"id": 1000 + i, "number": number}})
        )
    # The visitor called to counter 6 steps away to pay a fee and is called back to 8.
    away = {"id": 1105, "number": "B025"}
    controller.on_event(Event(107, "ticket.parked", {"counter": 6, "ticket": away}))
    controller.on_event(Event(108, "ticket.resumed", {"counter": 8, "ticket": away}))
    assert model.newest_call is not None
    return controller.view()


def live_view(server: str):  # noqa: ANN201 - built after Kivy is configured
    """The hall board's controller and stream from its own wiring, until the server's
    snapshot and last calls are in (bounded)."""
    from display_board.hall_wiring import hall_parts
    from display_board.main import build_parser

    args = build_parser().parse_args(["--server", server, "hall", "--audio", "off"])
    controller, stream, _member = hall_parts(args, lambda: None)
    stream.start()
    deadline = time.monotonic() + 30
    try:
        while not controller.view().recent:
            if time.monotonic() > deadline:
                raise SystemExit("the board listed no last calls within 30 s")
            time.sleep(0.05)
    finally:
        stream.stop()
    return controller.view()


def rating_screen(step: str):  # noqa: ANN201 - built after Kivy is configured
    from device_kit.contract.rating_levels import QuickLevel
    from device_kit.errors import ServerUntrusted, untrusted_text
    from device_kit.event_stream import Event
    from kiosk_app.rating.flow import RatingFlow
    from kiosk_app.rating.screen import RatingScreen, load_kv

    load_kv()
    step, _, problem = step.partition("+")  # e.g. idle+unknown_ca: the server refused
    flow = RatingFlow(counter=3)
    if step != "idle":
        ticket = {"id": 7, "number": "B007"}
        flow.on_event(Event(9, "ticket.finished", {"counter": 3, "ticket": ticket}), 0)
    if step in ("reasons", "thanks"):
        flow.choose(QuickLevel.NOT_SATISFIED, 1)
        flow.toggle_reason("long_wait", 2)
        flow.toggle_reason("extra_papers", 2)
    if step == "thanks":
        flow.confirm_reasons()
        flow.sent(3)
    screen = RatingScreen()
    screen.build_choices(flow.levels)
    desk = {"counter": 3, "counter_name": "Quầy 3 – Hộ tịch", "officer": "Nguyễn Thị Hường"}
    screen.show(flow, 4, desk)
    if problem:
        screen.offline = True
        screen.untrusted = untrusted_text(ServerUntrusted(problem))
    return screen


FINGERPRINT = "3F:A9:0C:17:B2:44:E8:5D:91:C6:7A:02:DE:38:F1:6B:" \
    "05:9E:C4:2A:77:B0:13:8F:E6:4D:29:A1:5C:F3:80:D7"


def pairing_state(screen, variant: str) -> None:  # noqa: ANN001 - a Kivy pairing screen
    """``482913`` (a code), ``482913+fp`` (a code and the given fingerprint),
    ``confirm`` (a fetched fingerprint waiting for the technician), ``mismatch``."""
    from device_kit.errors import ServerUntrusted, untrusted_text

    code, _, extra = variant.partition("+")
    if code.isdigit():
        screen.server = "https://motcua.local" if extra else screen.server
        screen.code = code
    if extra or variant in ("confirm", "mismatch"):
        screen.server = "https://motcua.local"
        screen.fingerprint = FINGERPRINT
        screen.confirm = variant == "confirm"
    if variant == "mismatch":
        screen.problem = untrusted_text(ServerUntrusted("fingerprint_mismatch"))


def main() -> int:
    kind, size, variant, out = sys.argv[1:5]
    width, height = (int(v) for v in size.split("x"))
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    from kivy.base import EventLoop
    from kivy.core.window import Window

    model: dict[str, object] = {}
    if kind in ("hall", "live"):
        from dataclasses import replace

        from device_kit.errors import ServerUntrusted, untrusted_text
        from display_board.screens.hall import HallScreen, load_kv

        load_kv()
        if kind == "live":
            view = live_view(variant)
        else:
            counters, _, problem = variant.partition("+")
            view = hall_view(int(counters))
            if problem:  # e.g. 8+fingerprint_mismatch: the server refused, named
                named = untrusted_text(ServerUntrusted(problem))
                view = replace(view, offline=True, untrusted=named)
        model = {
            "tiles": [{"number": t.number, "current": t.current} for t in view.tiles],
            "newest": view.newest.number if view.newest else None,
            "recent": [call.number for call in view.recent],
        }
        screen = HallScreen(columns=4 if len(view.tiles) <= 8 else 5, recent_slots=6)
        screen.clock = "09:41\nThứ Tư, 25/11/2026"
        screen.ticker_x = 20
        screen.show(view)
    elif kind == "pairing":
        from device_kit.ui.pairing import PairingScreen, load_kv

        load_kv()
        screen = PairingScreen(server="http://192.168.1.10:8000")
        pairing_state(screen, variant)
    elif kind == "rating-pairing":
        from kiosk_app.rating.pairing import RatingPairingScreen, load_kv

        load_kv()
        screen = RatingPairingScreen(server="https://motcua.local")
        pairing_state(screen, variant)
    else:
        screen = rating_screen(variant)
    Window.add_widget(screen)
    EventLoop.ensure_window()
    for _ in range(5):
        EventLoop.idle()
    screen.export_to_png(out)
    texts = [w.text for w in screen.walk() if isinstance(getattr(w, "text", None), str)]
    print(json.dumps({"texts": texts, **model}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
