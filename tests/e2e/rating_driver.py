"""Run the real rating terminal app headless and touch a face when it asks.

    python tests/e2e/rating_driver.py SERVER TOKEN|none SIZE LEVEL|none

Touches go through Kivy's input path (touch down/up at the face's centre on the
window), as a finger would. The app traces each frame to MOTCUA_RATING_TRACE.
With no token the terminal starts unpaired (its data directory is
MOTCUA_KIOSK_DIR when set); with MOTCUA_RATING_SHOTS set to a folder, the
pairing screen, once it shows a code, is saved there at each terminal size
(``pairing_800x480.png``, ``pairing_1280x800.png``) before the window returns
to SIZE.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("KIVY_NO_ARGS", "1")

SHOT_SIZES = ((800, 480), (1280, 800))


def main() -> int:
    server, token, size, level_name = sys.argv[1:5]
    from device_kit.ui.kivy_setup import configure_kivy
    from kiosk_app.config import load

    data_dir = os.environ.get("MOTCUA_KIOSK_DIR") or tempfile.mkdtemp(prefix="rating-")
    config = load(
        ["--mode", "rating", "--server", server]
        + (["--token", token] if token != "none" else [])
        + ["--windowed", "--size", size, "--data-dir", data_dir]
    )
    configure_kivy(config.size, config.windowed)
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    from device_kit.contract.rating_levels import QuickLevel
    from kiosk_app.rating.app import RatingOptions
    from kiosk_app.rating.flow import Step
    from kiosk_app.rating.pairing import RatingPairingScreen
    from kiosk_app.rating.terminal import RatingApp

    options = replace(RatingOptions.from_env(), data_dir=config.data_dir)
    app = RatingApp(config.server_url, config.token, options, config.save_pairing)
    last_touch = [0.0]
    shots = Path(os.environ["MOTCUA_RATING_SHOTS"]) if "MOTCUA_RATING_SHOTS" in os.environ else None
    pending = list(SHOT_SIZES)
    laid_out = [False]

    def shoot(_dt: float) -> None:
        """The pairing screen with its code, at each size in turn, once a tick after the
        window took the size has laid the children out."""
        screen = app.root
        if shots is None or not isinstance(screen, RatingPairingScreen) or not screen.code:
            return
        at_size = tuple(Window.size) == pending[0] and tuple(screen.size) == pending[0]
        if at_size and laid_out[0]:
            width, height = pending.pop(0)
            shot = shots / f"pairing_{width}x{height}.png"
            screen.export_to_png(str(shot.with_suffix(".part.png")))
            shot.with_suffix(".part.png").replace(shot)  # the test sees whole files only
            at_size = False
        laid_out[0] = at_size
        Window.size = pending[0] if pending else config.size
        if not pending:
            shooting.cancel()

    shooting = Clock.schedule_interval(shoot, 0.1)

    def touch_face(_dt: float) -> None:
        """Touch while the question is up; again after a second if the layout was late."""
        flow = app.terminal.flow
        if level_name == "none" or flow.step is not Step.ASK:
            return
        if app.root.ids.pages.current != "ask" or time.monotonic() - last_touch[0] < 1.0:
            return
        last_touch[0] = time.monotonic()
        face = app.root.face(QuickLevel[level_name])
        x, y = face.to_window(*face.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()

    Clock.schedule_interval(touch_face, 0.05)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
