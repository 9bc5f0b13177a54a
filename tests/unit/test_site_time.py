"""On-screen clocks show the centre's time, whatever the box's own zone (UTC on a
fresh install): the hall board's clock and the kiosk's, for a fixed UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from device_kit.site_time import site_time
from kiosk_app.controller import KioskController, KioskSettings
from kiosk_app.offline import Outbox

# 17:30 UTC is already the next day in Hà Nội.
INSTANT = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)


def test_the_hall_board_clock_shows_the_site_day_and_hour() -> None:
    from display_board.screens.hall import clock_text

    hanoi = {"timezone": "Asia/Ho_Chi_Minh"}
    assert clock_text(site_time(hanoi, INSTANT)) == "00:30\nThứ Năm, 26/11/2026"
    assert clock_text(site_time({"timezone": "Asia/Tokyo"}, INSTANT)).startswith("02:30")
    # Before the site is read, or with a name this box does not know: Vietnam's time.
    assert site_time({}, INSTANT).hour == 0
    assert site_time({"timezone": "Mars/Olympus"}, INSTANT).hour == 0


def test_the_kiosk_clock_follows_the_site_not_the_box(tmp_path: Path) -> None:
    with Outbox(tmp_path / "kiosk.db") as outbox:
        controller = KioskController(
            None,  # type: ignore[arg-type]  # no server call is made
            lambda: None,
            outbox,
            KioskSettings(),
            clock=lambda: INSTANT,
        )
        controller.state.site = {"timezone": "Asia/Ho_Chi_Minh"}
        assert controller.local_now().strftime("%H:%M  %d/%m/%Y") == "00:30  26/11/2026"
        assert controller.today() == "2026-11-26"
        controller.state.site = {"timezone": "Asia/Tokyo"}
        assert controller.local_now().strftime("%H:%M") == "02:30"
