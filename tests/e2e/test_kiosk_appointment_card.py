"""Checking a booking in at the Kivy kiosk with the citizen ID card, by touch: the visitor
booked through the API with the personal ID number, touches "Tôi đã đặt lịch" and holds
the card to the serial scanner (emulator); the kiosk sends only the ID number and prints
a ticket with the appointment priority. The server and printer emulator are those of
``test_kiosk_flow``; the kiosk runs in a child process (this file run as a script).

The module's clock starts at 09:20 on the first working day after ``TEST_NOW``, so the
09:30 slot can still be booked and its check-in window is already open, whichever
``MOTCUA_TEST_NOW`` the suite runs with.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import test_kiosk_flow
from clocks import FakeClock, TickingClock, begin_test
from test_appointments_api import next_working_day
from test_kiosk_citizen_card import card
from test_kiosk_flow import Hall, read_ticket

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SERVICE = "ho-tich"
ID = "001088000123"
SLOT = time(9, 30)

#: The hall of ``test_kiosk_flow`` (server, printer emulator), one for this module.
hall = test_kiosk_flow.hall


@pytest.fixture(autouse=True, scope="module")
def ticking_clock() -> TickingClock:
    """Ten minutes before the 09:30 slot of the first working day after ``TEST_NOW``."""
    return begin_test(datetime.combine(next_working_day(FakeClock()), time(9, 20), ZONE))


def api(hall: Hall, method: str, path: str, who: str | None, **body: Any) -> Any:
    import requests

    headers = {"Authorization": f"Bearer {hall.tokens[who]}"} if who else {}
    return requests.request(
        method, f"{hall.server_url}/api/v1{path}", headers=headers, json=body, timeout=10
    )


def book_today(hall: Hall, day: date, phone: str, id_number: str | None) -> str:
    """A booking of today's 09:30 made through the API; returns its code."""
    opened = api(hall, "PATCH", f"/services/{SERVICE}", "admin", appointment_capacity=5)
    assert opened.status_code == 200, opened.text
    start = datetime.combine(day, SLOT, ZONE).isoformat()
    extra = {"id_number": id_number} if id_number else {}
    booked = api(hall, "POST", "/appointments", None, service=SERVICE, start=start,
                 phone=phone, name="Nguyễn Văn An", **extra)
    assert booked.status_code == 201, booked.text
    return str(booked.json()["code"])


def priority_band(job: Any) -> str | None:
    """The priority a printed ticket shows: its one raster (the inverted band) compared
    dot for dot with the band each priority label would print."""
    import numpy as np
    from PIL import Image

    from drivers.printer.profiles import paper_profile
    from drivers.printer.ticket_layout import RasterOp, TicketData, ticket_ops
    from queue_server.queueing.model import PRIORITY_LABELS

    (box,) = job.raster_boxes
    x, y, width, height = box
    printed = np.asarray(Image.open(job.png_path).convert("L").crop((x, y, x + width, y + height)))
    for label, _english in PRIORITY_LABELS.values():
        data = TicketData("", "", "A001", datetime.now(ZONE), None, priority_label=label)
        (band,) = [op for op in ticket_ops(data, paper_profile()) if isinstance(op, RasterOp)]
        if np.array_equal(printed, np.asarray(band.image)):
            return label
    return None


@pytest.mark.kivy
@pytest.mark.slow
def test_the_id_card_held_to_the_scanner_prints_the_appointment_ticket(
    hall: Hall, ticking_clock: TickingClock
) -> None:
    today = ticking_clock().astimezone(ZONE).date()
    book_today(hall, today, "0912345611", ID)
    book_today(hall, today, "0912345612", None)
    printed_before = len(hall.emulator.jobs)
    result = hall.run(
        "card_check_in",
        script=__file__,
        service=SERVICE,
        cards=[card(date(1988, 5, 17)), card(date(1990, 1, 2), "001090000456")],
    )
    first, unknown = result["results"]
    ticket = read_ticket(hall, first["ticket_id"])
    assert ticket["priority"] == "appointment" and ticket["number"] == first["number"]
    assert first["headline"] == f"Mời nhận phiếu {first['number']}"
    (job,) = [
        j for j in hall.emulator.jobs[printed_before:] if first["number"] in j.text.splitlines()
    ]
    assert priority_band(job) == "Đã đặt lịch hẹn"
    assert ticket["state"] == "waiting"
    assert "thẻ căn cước" in unknown["message"] and unknown["screen"] == "lookup"
    assert unknown["normal_service"] == SERVICE  # a normal ticket is offered instead


@pytest.mark.kivy
@pytest.mark.slow
def test_the_id_number_is_nowhere_in_the_server_files(hall: Hall) -> None:
    files = [p for p in hall.tmp.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".db") for p in files)
    for path in files:
        assert ID.encode() not in path.read_bytes(), path


# ---------------------------------------------------------------- child side (the kiosk)


def scenario_card_check_in(driver: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Each card held to the scanner after "Tôi đã đặt lịch": a ticket, or the refusal."""
    from test_kiosk_flow import _answered, _ticket_result, _to_check_in, _typing

    scanner = params["scanner"]
    results: list[dict[str, Any]] = []
    for text in params["cards"]:
        lookup, _labels = _to_check_in(driver, params)
        driver.until(lambda page=lookup: _typing(driver, page))
        scanner.scan(text)
        driver.until(lambda page=lookup: _answered(driver, page))
        if driver.app.manager.current == "ticket":
            results.append(_ticket_result(driver))
        else:
            refused = {"message": lookup.message, "normal_service": lookup.normal_service}
            results.append({"screen": "lookup", **refused})
        driver.app.go_home()
        driver.pump()
    return {"results": results}


def child(scenario: str, params: dict[str, Any]) -> None:
    from test_kiosk_flow import card_scanner_child

    scenarios = {"card_check_in": scenario_card_check_in}
    card_scanner_child(scenarios[scenario], params, "kiosk-card-booking")


if __name__ == "__main__":
    child(sys.argv[1], json.loads(sys.argv[2]))
