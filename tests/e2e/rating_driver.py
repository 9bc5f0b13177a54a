"""Run the real rating terminal app headless and touch a face when it asks.

    python tests/e2e/rating_driver.py SERVER TOKEN SIZE LEVEL|none

Touches go through Kivy's input path (touch down/up at the face's centre on the
window), as a finger would. The app traces each frame to MOTCUA_RATING_TRACE.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("KIVY_NO_ARGS", "1")


def main() -> int:
    server, token, size, level_name = sys.argv[1:5]
    from kiosk_app.config import load
    from kiosk_app.main import configure_kivy

    data_dir = tempfile.mkdtemp(prefix="rating-")
    config = load(
        ["--mode", "rating", "--server", server, "--token", token]
        + ["--windowed", "--size", size, "--data-dir", data_dir]
    )
    configure_kivy(config)
    from kivy.clock import Clock
    from kivy.tests.common import UnitTestTouch

    from kiosk_app.rating.app import RatingOptions
    from kiosk_app.rating.flow import Step
    from kiosk_app.rating.terminal import RatingApp
    from queue_server.dossiers.rating import QuickLevel

    options = replace(RatingOptions.from_env(), data_dir=config.data_dir)
    app = RatingApp(config.server_url, config.token, options)
    last_touch = [0.0]

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
