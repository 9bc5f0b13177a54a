"""A visitor's keyboard cannot get past the app (issue 15, kiosk lockdown).

The kiosk (ticket mode), the rating terminal and the hall board each run headless
in their own process against the live server, this file run as a script with the
app's name. Once the app shows its main screen, it gets F1, Alt+F4 (then the
window close request a window manager would turn it into), Ctrl+Alt+F2 and Esc the
way SDL hands keys to Kivy; after each, the app must still be running, on the same
screen, with its own root the only widget in the window (so no settings panel). A
screenshot of each app after the last key is saved under tests/artifacts/lockdown/;
its on-screen clock shows the site's time, not the box's (UTC here).
The apps run windowed, where Kivy's ``exit_on_escape`` is on: Esc must still not end
them. SIGTERM, as systemd or the demo send it, must end them.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from clocks import TEST_NOW, process_env
from kivy_process import run_result

if TYPE_CHECKING:
    from floor import Floor

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "artifacts" / "lockdown"
pytestmark = [pytest.mark.kivy, pytest.mark.slow, pytest.mark.timeout(240)]

#: name -> (SDL keycode as Kivy maps it, SDL scancode, modifiers held)
KEYS: dict[str, tuple[int, int, list[str]]] = {
    "F1": (282, 58, []),
    "Alt+F4": (285, 61, ["alt"]),
    "Ctrl+Alt+F2": (283, 59, ["ctrl", "alt"]),
    "Esc": (27, 41, []),
}
MAIN_SCREEN = {"kiosk": "home", "rating": "RatingScreen", "board": "HallScreen"}


# ---------------------------------------------------------------- parent side (pytest)


def run_locked(floor: Floor, tmp_path: Path, which: str) -> dict[str, Any]:
    """Run ``which`` in a child process; its RESULT line, decoded."""
    params = {
        "server_url": floor.server.url,
        "token": floor.rating_token(3) if which == "rating" else floor.token(which),
        "data_dir": str(tmp_path / which),
        "out": str(SHOTS),
    }
    env = process_env(
        {k: v for k, v in os.environ.items() if k not in ("KIVY_NO_CONSOLELOG", "MOTCUA_TOKEN")},
        SDL_VIDEODRIVER="offscreen",
        SDL_AUDIODRIVER="dummy",
        KIVY_NO_ARGS="1",
        KIVY_HOME=str(tmp_path / f"kivy-{which}"),
        MOTCUA_BOARD_DIR=str(tmp_path / which),
    )
    return run_result([__file__, which, json.dumps(params)], env, timeout=200)


@pytest.mark.parametrize("which", ["kiosk", "rating", "board"])
def test_keys_and_close_requests_leave_nothing_but_the_app(
    floor: Floor, tmp_path: Path, which: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{which}.png").unlink(missing_ok=True)
    result = run_locked(floor, tmp_path, which)
    assert "shot" in result, f"the app's loop ended before the last step: {result}"
    alone = {"running": True, "screen": MAIN_SCREEN[which], "window": ["root"], "settings": 0}
    assert result["before"] == alone
    for key in KEYS:
        assert result["after"][key] == alone, key
    assert result["close_refused"] is True
    assert result["after"]["close request"] == alone
    assert result["kivy_settings_built"] is False
    assert result["stopped_by_signal"] is True, "SIGTERM must end the app (systemd stop)"
    if which != "rating":  # the rating terminal shows no clock
        # The site's time (the suite's clock: 09:00 in Hà Nội), not the box's UTC.
        hanoi = TEST_NOW.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        assert result["clock"].startswith(f"{hanoi:%H}:"), result["clock"]
    shot = Path(result["shot"])
    assert shot == SHOTS / f"{which}.png" and shot.stat().st_size > 10_000


# ---------------------------------------------------------------- child side (Kivy)


def _kiosk(params: dict[str, Any]) -> tuple[Any, Callable[[], str]]:
    from device_kit.ui.kivy_setup import configure_kivy
    from kiosk_app.config import KioskConfig
    from kiosk_app.main import build_app

    config = KioskConfig(
        mode="ticket",
        server_url=params["server_url"],
        token=params["token"],
        data_dir=Path(params["data_dir"]),
        printer_url=f"file://{params['data_dir']}/printer.bin",
        windowed=True,
        size=(1080, 1920),
        device="kiosk-lockdown",
    )
    configure_kivy(config.size, config.windowed)
    app = build_app(config)

    def screen() -> str:
        loaded = bool(app.manager.get_screen("services").ids.grid.children)
        return str(app.manager.current) if loaded else ""

    return app, screen


def _rating(params: dict[str, Any]) -> tuple[Any, Callable[[], str]]:
    from dataclasses import replace

    from device_kit.ui.kivy_setup import configure_kivy
    from kiosk_app.config import load

    config = load(
        ["--mode", "rating", "--server", params["server_url"], "--token", params["token"]]
        + ["--windowed", "--size", "800x480", "--data-dir", params["data_dir"]]
    )
    configure_kivy(config.size, config.windowed)
    from kiosk_app.rating.app import RatingOptions
    from kiosk_app.rating.terminal import RatingApp

    options = replace(RatingOptions.from_env(), data_dir=config.data_dir)
    app = RatingApp(config.server_url, config.token, options, config.save_pairing)

    def screen() -> str:
        shown = app.terminal.trace_state()
        ready = shown["step"] == "idle" and shown["counter"] == 3
        return type(app.root).__name__ if ready else ""

    return app, screen


def _board(params: dict[str, Any]) -> tuple[Any, Callable[[], str]]:
    from device_kit.ui.kivy_setup import configure_kivy
    from display_board.main import build_parser

    args = build_parser().parse_args(
        ["--server", params["server_url"], "--token", params["token"], "hall"]
        + ["--windowed", "--size", "1920x1080", "--audio", "off"]
    )
    configure_kivy(args.size, args.windowed)
    from display_board.hall_app import HallApp

    app = HallApp(args)

    def screen() -> str:
        shown = app.controller is not None and bool(app.controller.view().tiles)
        return type(app.root).__name__ if shown else ""

    return app, screen


APPS: dict[str, Callable[[dict[str, Any]], tuple[Any, Callable[[], str]]]] = {
    "kiosk": _kiosk,
    "rating": _rating,
    "board": _board,
}


def child(which: str, params: dict[str, Any]) -> None:
    """Run the app's own main loop; the keys are pressed from a Clock callback, one
    step per frame, so "running" means the loop the box runs has not ended."""
    app, screen = APPS[which](params)  # configures Kivy before its first import
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.settings import Settings

    result: dict[str, Any] = {"after": {}}

    def state() -> dict[str, Any]:
        """Whether the app runs, what it shows, and what else the window holds."""
        return {
            "running": EventLoop.status == "started" and not EventLoop.quit,
            "screen": screen(),
            "window": ["root" if w is app.root else type(w).__name__ for w in Window.children],
            "settings": sum(
                isinstance(w, Settings) for top in Window.children for w in top.walk()
            ),
        }

    def frames(count: int = 5) -> Iterator[None]:
        for _ in range(count):
            yield

    def drive() -> Iterator[None]:
        deadline = time.monotonic() + 90
        while not screen():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{which} never showed its main screen")
            yield
        yield from frames()
        result["before"] = state()
        for name, (key, scancode, modifiers) in KEYS.items():
            # As SDL's loop does: on_keyboard only when no on_key_down handler took it.
            if not Window.dispatch("on_key_down", key, scancode, None, modifiers):
                Window.dispatch("on_keyboard", key, scancode, None, modifiers)
            Window.dispatch("on_key_up", key, scancode)
            yield from frames()
            result["after"][name] = state()
        # Alt+F4 under a window manager (or a close button) is SDL_QUIT: SDL's loop
        # quits unless a handler of on_request_close refuses.
        result["close_refused"] = bool(Window.dispatch("on_request_close"))
        EventLoop.quit = EventLoop.quit or not result["close_refused"]
        yield from frames()
        result["after"]["close request"] = state()
        out = Path(params["out"])
        taken = Path(Window.screenshot(name=str(out / f"{which}.png")))
        result["shot"] = str(taken.replace(out / f"{which}.png"))
        result["kivy_settings_built"] = app._app_settings is not None
        result["clock"] = getattr(app, "clock_text", None) or getattr(app.root, "clock", None)
        os.kill(os.getpid(), signal.SIGTERM)  # as systemd or the demo stop the service
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            yield
        result["stopped_by_signal"] = False
        app.stop()

    steps = drive()
    Clock.schedule_interval(lambda _dt: next(steps, False) is None, 0)
    app.run()
    result.setdefault("stopped_by_signal", True)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    child(sys.argv[1], json.loads(sys.argv[2]))
