"""The citizen ID card at the Kivy kiosk, by touch, against the real server: the card's
QR sent by the serial scanner emulator opens "Hồ sơ của tôi" (the holder's dossiers,
masked); a holder aged 60 on the site's today is offered the elderly priority and
gets an elderly ticket without declaring anything, one a day short of 60 is not.
Afterwards the ID number is nowhere in the server's or the kiosk's files, their
logs or a backup.

The kiosk runs in a child process (Kivy's window is process-global): this file run
as a script, driven with :class:`test_kiosk_flow.Driver`, printing ``RESULT {json}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from clocks import TickingClock
from kivy_process import headless_env, run_result

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "kiosk"
ID = "001088000123"  # queue_server.mock_upstream.DEMO_CITIZEN_ID
ADDRESS = "Số 12 phố Tràng Tiền, phường Hoàn Kiếm, Hà Nội"


def card(birth: date, id_number: str = ID) -> str:
    """A 2024 card's QR text (no old ID, an extra field at the end)."""
    return f"{id_number}||Nguyễn Văn An|{birth:%d%m%Y}|Nam|{ADDRESS}|01072024|Nguyễn Văn Bố"


# ---------------------------------------------------------------- parent side (pytest)


@dataclass
class Centre:
    server: Any
    url: str
    tokens: dict[str, str]
    tmp: Path
    clock: TickingClock
    printer_port: int

    def today(self) -> date:
        """The centre's today (Hà Nội), on the suite's clock, as the kiosk reckons it."""
        return self.clock().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()

    def run(self, scenario: str, **params: Any) -> dict[str, Any]:
        params = {
            "server_url": self.url,
            "token": self.tokens["kiosk"],
            "printer_url": f"tcp://127.0.0.1:{self.printer_port}",
            "data_dir": str(self.tmp / "kiosk"),
            "size": [1080, 1920],
            "mode": "ticket",
            **params,
        }
        return run_result(
            [__file__, scenario, json.dumps(params, ensure_ascii=False)],
            headless_env(self.tmp / "kivy-home"),
            timeout=300,
            log=self.tmp / f"kiosk-{scenario}.log",
        )


@pytest.fixture(scope="module")
def centre(
    tmp_path_factory: pytest.TempPathFactory, ticking_clock: TickingClock
) -> Iterator[Centre]:
    """A live server whose mirror holds the demo citizen's three dossiers (hashed with
    the key in its data directory) among others."""
    from live_server import LiveServer
    from printer_fixtures import running_emulator
    from server_fixtures import build_runtime, seed_callers

    from queue_server.mock_upstream import demo_citizen_dossiers, demo_dossiers
    from queue_server.services.dossier_feeds import mirror_rows

    tmp = tmp_path_factory.mktemp("centre")
    url = f"sqlite:///{tmp / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp, ticking_clock)
    tokens, _counters = seed_callers(runtime)
    now = runtime.clock()
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        rows = enumerate([*demo_citizen_dossiers(now), *demo_dossiers(20, now)], start=1)
        mirror_rows(uow, site.id, rows, "pull", now, id_key=runtime.id_key)
        uow.commit()
    runtime.db.dispose()
    server = LiveServer(url, tmp).start()
    try:
        with running_emulator(tmp / "printer") as printer:
            yield Centre(server, server.url, tokens, tmp, ticking_clock, printer.port)
    finally:
        server.kill()


@pytest.fixture(scope="module")
def session(centre: Centre) -> dict[str, Any]:
    """One kiosk session: my dossiers, then a holder of 60 today, then one of 59."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    today = centre.today()
    sixty = today.replace(year=today.year - 60)  # 60 years back from a 29 February is leap
    cards = {
        "mine": card(date(1988, 5, 17)),
        "sixty": card(sixty, "001064000777"),
        "fifty_nine": card(sixty + timedelta(days=1), "001064000778"),
    }
    return centre.run("citizen_session", cards=cards, out=str(ARTIFACTS))


@pytest.mark.kivy
@pytest.mark.slow
def test_the_card_scanned_opens_my_dossiers_masked(session: dict[str, Any]) -> None:
    mine = session["mine"]
    assert mine["screen"] == "citizen" and mine["elderly"] is False
    assert len(mine["dossiers"]) == 3
    statuses = {"Được tiếp nhận", "Đang xử lý", "Đã xử lý xong"}
    assert {line.splitlines()[2] for line in mine["dossiers"]} == statuses
    assert "không lưu lại thông tin nào" in mine["privacy"]
    assert "số định danh và ngày sinh" in mine["privacy"]
    assert mine["dossier_title"].startswith("Hồ sơ ") and "Nguyễn V** A*" in mine["facts"]
    assert mine["back_to"] == "citizen"


@pytest.mark.kivy
@pytest.mark.slow
def test_sixty_today_is_offered_the_elderly_priority_and_gets_it(
    centre: Centre, session: dict[str, Any]
) -> None:
    import requests

    sixty = session["sixty"]
    assert sixty["elderly"] is True and sixty["offer"] == "Ông/Bà được ưu tiên: người cao tuổi"
    assert sixty["dossiers"] == [] and "Chưa có hồ sơ" in sixty["message"]
    assert sixty["priority_offer"] == "Ông/Bà được ưu tiên: người cao tuổi"
    headers = {"Authorization": f"Bearer {centre.tokens['admin']}"}
    ticket = requests.get(
        f"{centre.url}/api/v1/tickets/{sixty['ticket_id']}", headers=headers, timeout=5
    ).json()
    assert ticket["number"] == sixty["number"] and ticket["priority"] == "elderly"


@pytest.mark.kivy
@pytest.mark.slow
def test_a_day_short_of_sixty_is_not_offered_it(session: dict[str, Any]) -> None:
    short = session["fifty_nine"]
    assert short["elderly"] is False and short["offer"] == ""
    assert short["button_height"] == 0 and short["offered"] == ""


@pytest.mark.kivy
@pytest.mark.slow
def test_the_screens_were_shot_with_their_vietnamese_letters(session: dict[str, Any]) -> None:
    for path in session["shots"]:
        assert Path(path).stat().st_size > 10_000, path


@pytest.mark.kivy
@pytest.mark.slow
def test_the_id_numbers_are_nowhere_after_the_flows(
    centre: Centre, session: dict[str, Any], tmp_path: Path
) -> None:
    from sqlalchemy import create_engine

    from queue_server.adapters.database import connect
    from queue_server.backup import take_backup

    backup = take_backup(
        connect(f"sqlite:///{centre.tmp / 'motcua.db'}"), tmp_path, None, None, centre.clock()
    )
    create_engine(f"sqlite:///{backup}").dispose()
    numbers = [ID.encode(), b"001064000777", b"001064000778"]
    files = [p for p in [*centre.tmp.rglob("*"), backup] if p.is_file()]
    assert any(p.name.startswith("server-") for p in files)  # the server's log is read too
    assert any(p.name.startswith("kiosk-") for p in files)  # and the kiosk's output
    for path in files:
        data = path.read_bytes()
        for number in numbers:
            assert number not in data, (path, number)
    assert ID not in json.dumps(session)


# ---------------------------------------------------------------- child side (the kiosk)


def scenario_citizen_session(driver: Any, params: dict[str, Any]) -> dict[str, Any]:
    from drivers.scanner.emulator import SerialScannerEmulator

    app, out, cards = driver.app, Path(params["out"]), params["cards"]
    scanner: SerialScannerEmulator = params["scanner"]
    shots: list[str] = []
    citizen, lookup = driver.screen("citizen"), driver.screen("lookup")
    driver.until(lambda: bool(driver.screen("services").ids.grid.children))

    def scan(text: str, entry: str, shot: str = "") -> dict[str, Any]:
        app.go_home()
        driver.pump()
        driver.tap_id(entry, "home")
        driver.until(lambda: app.manager.current == "lookup")
        if shot:
            shots.append(driver.shot(out, shot))
        scanner.scan(text)
        driver.until(lambda: app.manager.current == "citizen" and not lookup.busy)
        return {
            "screen": app.manager.current,
            "elderly": citizen.elderly,
            "offer": citizen.ids.elderly.text,
            "privacy": citizen.ids.privacy.text,
            "message": citizen.message,
            "offered": app.offered_priority,
            "dossiers": [b.text for b in reversed(citizen.ids.dossiers.children)],
        }

    shots.append(driver.shot(out, "portrait-vi-home-with-my-dossiers"))
    mine = scan(cards["mine"], "my_dossiers", "portrait-vi-lookup-citizen-card")
    shots.append(driver.shot(out, "portrait-vi-citizen-my-dossiers"))
    driver.tap(citizen.ids.dossiers.children[-1])
    dossier = driver.screen("dossier")
    driver.until(lambda: app.manager.current == "dossier")
    mine |= {"dossier_title": dossier.ids.title.text, "facts": dossier.ids.facts.text}
    shots.append(driver.shot(out, "portrait-vi-citizen-dossier"))
    driver.tap_id("back", "dossier")
    mine["back_to"] = app.manager.current
    driver.tap(app.root.ids.language)
    shots.append(driver.shot(out, "portrait-en-citizen-my-dossiers"))

    sixty = scan(cards["sixty"], "lookup")
    shots.append(driver.shot(out, "portrait-vi-citizen-elderly"))
    driver.tap_id("priority_ticket", "citizen")
    driver.until(lambda: app.manager.current == "services")
    grid = driver.screen("services").ids.grid
    driver.tap(next(b for b in grid.children if b.code == "ho-tich"))
    priority = driver.screen("priority")
    driver.until(lambda: app.manager.current == "priority")
    sixty["priority_offer"] = priority.ids.offer.text
    shots.append(driver.shot(out, "portrait-vi-priority-elderly-offer"))
    driver.tap_id("take_offered", "priority")
    ticket = driver.screen("ticket")
    driver.until(lambda: ticket.phase == "issued")
    sixty |= {"number": ticket.issued.number, "ticket_id": ticket.issued.ticket_id}
    shots.append(driver.shot(out, "portrait-vi-ticket-elderly"))

    # Straight from the elderly ticket, before the kiosk went home: nothing carries over.
    driver.tap_id("done", "ticket")
    app.go("lookup", purpose="citizen")
    app.offered_priority = "elderly"  # as if the previous visitor had not taken it
    scanner.scan(cards["fifty_nine"])
    driver.until(lambda: app.manager.current == "citizen" and not lookup.busy)
    short = {
        "elderly": citizen.elderly,
        "offer": citizen.ids.elderly.text,
        "button_height": citizen.ids.priority_ticket.height,
        "offered": app.offered_priority,
    }
    shots.append(driver.shot(out, "portrait-vi-citizen-fifty-nine"))
    return {"mine": mine, "sixty": sixty, "fifty_nine": short, "shots": shots}


def child(scenario: str, params: dict[str, Any]) -> None:
    from test_kiosk_flow import card_scanner_child

    scenarios = {"citizen_session": scenario_citizen_session}
    card_scanner_child(scenarios[scenario], params, "kiosk-card")


if __name__ == "__main__":
    child(sys.argv[1], json.loads(sys.argv[2]))
