"""The Kivy kiosk driven by touch events against the real server and the printer emulator.

Kivy's window is process-global, so each test runs the kiosk in a child process
(this file run as a script with a scenario name) that taps widgets with real
touch events, ticks the event loop and prints one ``RESULT {json}`` line; the
test then checks that line against what the printer emulator and the server got.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from clocks import TickingClock, process_env
from kivy_process import run_result

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "kiosk"
PIN = "2468"
DOSSIER = "000.00.06.H56-231027-0361"
#: Each screenshot of the sweep, and the screen the kiosk must be showing in it.
SCREEN_OF_SHOT = {
    "home": "home",
    "services": "services",
    "priority": "priority",
    "ticket": "ticket",
    "lookup-error": "lookup",
    "dossier": "dossier",
    "rate-lookup": "lookup",
    "rating": "rating",
    "thanks": "thanks",
    "procedures": "procedures",
    "procedure": "procedure",
    "technician-pin": "technician",
    "technician": "technician",
    "technician-pair": "technician",
    "home-offline": "home",
}
# One finished dossier per screenshot pass, each rated once there.
SWEEP_DOSSIERS = {
    f"{orientation}-{lang}": f"000.00.06.H56-231027-{371 + i:04d}"
    for i, (orientation, lang) in enumerate(
        (o, la) for o in ("portrait", "landscape") for la in ("vi", "en")
    )
}


# ---------------------------------------------------------------- parent side (pytest)


@dataclass
class Hall:
    server_url: str
    tokens: dict[str, str]
    counters: dict[int, int]
    printer_port: int
    emulator: Any
    tmp: Path

    def run(self, scenario: str, script: str = __file__, **params: Any) -> dict[str, Any]:
        """Run one scenario in a child process (``script``'s, by default this file's);
        its RESULT line, decoded."""
        params = {
            "server_url": self.server_url,
            "token": self.tokens["kiosk"],
            "printer_url": f"tcp://127.0.0.1:{self.printer_port}",
            "data_dir": str(self.tmp / "kiosk"),
            "size": [1080, 1920],
            "mode": "ticket",
            **params,
        }
        env = process_env(
            {k: v for k, v in os.environ.items() if k != "KIVY_NO_CONSOLELOG"},
            SDL_VIDEODRIVER="offscreen",
            SDL_AUDIODRIVER="dummy",
            KIVY_NO_ARGS="1",
            KIVY_HOME=str(self.tmp / "kivy-home"),
        )
        return run_result([script, scenario, json.dumps(params)], env, timeout=300)


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory, ticking_clock: TickingClock) -> Iterator[Hall]:
    """One server, one printer emulator and one seeded dossier for every kiosk run."""
    from live_server import LiveServer
    from printer_fixtures import running_emulator
    from server_fixtures import build_runtime, seed_callers

    from queue_server.bootstrap import load_demo_procedures

    tmp_path = tmp_path_factory.mktemp("hall")
    url = f"sqlite:///{tmp_path / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp_path, ticking_clock)
    tokens, counters = seed_callers(runtime)
    _mirror_dossier(runtime)
    load_demo_procedures(runtime.db, "default")
    runtime.db.dispose()
    server = LiveServer(url, tmp_path).start()
    try:
        with running_emulator(tmp_path / "printer") as emulator:
            yield Hall(server.url, tokens, counters, emulator.port, emulator, tmp_path)
    finally:
        server.kill()  # the kiosks' event streams would hold a graceful stop for its timeout


def _mirror_dossier(runtime: Any) -> None:
    """Processed dossiers in the mirror, as the upstream feed would leave them: the one
    the tests look up, and one to rate in each screenshot pass."""
    from queue_server.services.dossier_mirror import upsert_dossiers

    records = [_processed(code) for code in (DOSSIER, *SWEEP_DOSSIERS.values())]
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        upsert_dossiers(uow, site.id, records, "test", runtime.clock())
        uow.commit()


def _processed(code: str) -> Any:
    from datetime import UTC, datetime

    from device_kit.contract.dossier_codes import DossierCode
    from queue_server.dossiers.record import DossierRecord, Step
    from queue_server.dossiers.status import DossierStatus

    return DossierRecord(
        code=DossierCode.parse(code),
        status=DossierStatus(9),
        received_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        procedure_name="Đăng ký khai sinh",
        agency="UBND phường Lam Hạ",
        applicant_name="Nguyễn Văn An",
        due_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
        finished_at=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        collect_at="Quầy số 6, Trung tâm Phục vụ hành chính công",
        steps=(
            Step("Tiếp nhận hồ sơ", datetime(2026, 11, 20, 2, 0, tzinfo=UTC), "Bộ phận Một cửa"),
            Step("Đã ký duyệt", datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "Phòng Tư pháp"),
        ),
    )


def printed_texts(emulator: Any) -> list[str]:
    return [job.text for job in emulator.jobs]


@pytest.fixture(scope="module")
def ticket_session(hall: Hall) -> dict[str, Any]:
    """One kiosk in ticket mode: a ticket, a mistyped code, the technician, an idle minute."""
    from kiosk_app.config import hash_pin

    steps = ["take_ticket", "type_code", "technician", "idle", "procedures"]
    return hall.run("steps", steps=steps, service="ho-tich", code="12-AB", pin_hash=hash_pin(PIN))


def waiting(hall: Hall, service: str) -> int:
    import requests

    snapshot = requests.get(f"{hall.server_url}/api/v1/queue", timeout=5).json()
    return next(s["waiting"] for s in snapshot["services"] if s["code"] == service)


def read_ticket(hall: Hall, ticket_id: int) -> dict[str, Any]:
    import requests

    headers = {"Authorization": f"Bearer {hall.tokens['admin']}"}
    url = f"{hall.server_url}/api/v1/tickets/{ticket_id}"
    return requests.get(url, headers=headers, timeout=5).json()


@pytest.mark.kivy
@pytest.mark.slow
def test_touching_a_service_prints_the_number_the_server_issued(
    hall: Hall, ticket_session: dict[str, Any]
) -> None:
    result = ticket_session["take_ticket"]
    assert result["number"].startswith("B")
    assert result["headline"] == f"Mời nhận phiếu {result['number']}"
    assert "Hộ tịch" in result["details"]
    assert any(result["number"] in text for text in printed_texts(hall.emulator))
    ticket = read_ticket(hall, result["ticket_id"])
    assert ticket["number"] == result["number"] and ticket["state"] == "waiting"


def patch_hours(hall: Hall, service: str, hours: str) -> None:
    import requests

    headers = {"Authorization": f"Bearer {hall.tokens['admin']}"}
    url = f"{hall.server_url}/api/v1/services/{service}"
    assert requests.patch(url, json={"hours": hours}, headers=headers, timeout=5).ok


@pytest.mark.kivy
@pytest.mark.slow
def test_a_closed_service_is_greyed_out_with_its_opening_time_before_any_tap(
    hall: Hall, ticking_clock: TickingClock
) -> None:
    import requests

    from device_kit.contract.site_zone import DEFAULT_ZONE
    from queue_server.queueing.hours import DAYS

    local = ticking_clock().astimezone(ZoneInfo(DEFAULT_ZONE))
    patch_hours(hall, "xay-dung", f"{DAYS[(local.weekday() + 2) % 7]} 07:00-11:00")
    try:
        listed = requests.get(f"{hall.server_url}/api/v1/services", timeout=5).json()
        result = hall.run("services_list")
    finally:
        patch_hours(hall, "xay-dung", "always")
    closed = next(s for s in listed["services"] if s["code"] == "xay-dung")
    assert closed["open_now"] is False and closed["opens_at_vi"].startswith("Mở cửa lúc 07:00 ")
    buttons = result["buttons"]
    assert buttons["xay-dung"]["disabled"] is True
    assert buttons["xay-dung"]["text"].endswith("\n" + closed["opens_at_vi"])
    assert buttons["ho-tich"]["disabled"] is False and "\n" not in buttons["ho-tich"]["text"]


@pytest.mark.kivy
@pytest.mark.slow
def test_printer_out_of_paper_issues_nothing_and_says_so(hall: Hall) -> None:
    before = waiting(hall, "ho-tich")
    jobs = len(hall.emulator.jobs)
    hall.emulator.paper_out = True
    try:
        result = hall.run("take_ticket", service="ho-tich", expect="refused")
    finally:
        hall.emulator.paper_out = False
    assert result["phase"] == "refused" and result["number"] is None
    assert "hết giấy" in result["details"] and "chưa cấp được số" in result["details"]
    assert waiting(hall, "ho-tich") == before and len(hall.emulator.jobs) == jobs


@pytest.mark.kivy
@pytest.mark.slow
def test_scanned_receipt_shows_status_and_gives_a_result_ticket(hall: Hall) -> None:
    payload = f"https://dichvucong.example.vn/tra-cuu?MHS={DOSSIER}&cccd=001099012345"
    result = hall.run("scan_and_collect", mode="lookup", qr_payload=payload)
    assert result["title"] == f"Hồ sơ {DOSSIER}"
    assert "Đã xử lý xong" in result["facts"] and "Nguyễn V** A*" in result["facts"]
    assert "20/11/2026 09:00" in result["facts"]  # received, in Hà Nội time
    assert "001099012345" not in json.dumps(result)
    ticket = read_ticket(hall, result["ticket_id"])
    assert ticket["number"] == result["ticket"] and ticket["number"].startswith("F")
    assert ticket["dossier_code"] == DOSSIER and ticket["service"] == "tra-ket-qua"
    # The printed ticket carries the dossier code, under its label, under its number.
    printed = [text.splitlines() for text in printed_texts(hall.emulator)]
    (lines,) = [lines for lines in printed if result["ticket"] in lines]
    number = lines.index(result["ticket"])
    assert lines[number + 1 : number + 3] == ["Mã hồ sơ / Dossier code:", DOSSIER]


@pytest.mark.kivy
@pytest.mark.slow
def test_a_wrong_qr_held_to_the_camera_is_explained_under_the_live_preview(hall: Hall) -> None:
    """A bank transfer QR instead of the receipt: the kiosk says what to scan instead."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    vietqr = (
        "00020101021138540010A00000072701240006970436011000123456780208QRIBFTTA"
        "53037045802VN6304ABCD"
    )
    result = hall.run(
        "wrong_qr", mode="lookup", qr_payload=vietqr, size=[1920, 1080], out=str(ARTIFACTS)
    )
    assert result["screen"] == "lookup"
    assert "Đây không phải mã hồ sơ" in result["message"]
    assert "000.00.06.H56-231027-0361" in result["message"]  # what a code looks like
    # The preview shows the camera's own frames, at the camera's size.
    assert result["preview"] == [640, 480] and result["camera"] is True
    # The app stopped on this screen: its camera thread stopped with it (a thread
    # left inside the native decoder aborted the kiosk at exit).
    assert result["cameras_running"] == 0
    assert Path(result["shot"]).stat().st_size > 10_000
    # Pulled out while the screen shows, the camera is reported offline, not left "ok".
    assert result["health_opened"]["camera"] == "ok"
    assert result["health_unplugged"]["camera"] == "offline"
    assert result["health_unplugged"]["detail"] == "Camera: Mất kết nối"


@pytest.mark.kivy
@pytest.mark.slow
def test_typed_malformed_code_gets_a_helpful_message(ticket_session: dict[str, Any]) -> None:
    result = ticket_session["type_code"]
    assert "000.00.06.H56-231027-0361" in result["message"]
    assert result["screen"] == "lookup"


@pytest.mark.kivy
@pytest.mark.slow
def test_technician_screen_opens_with_the_pin_only(
    hall: Hall, ticket_session: dict[str, Any]
) -> None:
    result = ticket_session["technician"]
    assert result["wrong"] == "Mã PIN không đúng." and result["locked_screen"] == "technician"
    assert "Đã kết nối" in result["info"] and hall.server_url in result["info"]
    assert "Sẵn sàng" in result["info"]


@pytest.mark.kivy
@pytest.mark.slow
def test_a_minute_without_touch_goes_home_in_vietnamese(ticket_session: dict[str, Any]) -> None:
    assert ticket_session["idle"] == {"before": ["services", "en"], "after": ["home", "vi"]}


@pytest.mark.kivy
@pytest.mark.slow
def test_the_kiosk_stops_only_once_its_jobs_are_done(ticket_session: dict[str, Any]) -> None:
    """Stopped while its heartbeat wrote the outbox, the kiosk crashed (SIGSEGV, issue 13):
    it now waits for the jobs under way before closing the outbox and the client."""
    assert ticket_session["jobs_running"] == 0


@pytest.mark.kivy
@pytest.mark.slow
def test_procedures_found_without_accents_show_documents_fees_and_qr(
    ticket_session: dict[str, Any],
) -> None:
    result = ticket_session["procedures"]
    assert "Hộ tịch" in result["fields"]
    assert result["found"][0] == "Đăng ký khai sinh"
    assert result["name"] == "Đăng ký khai sinh"
    assert "Tờ khai đăng ký khai sinh theo mẫu" in result["facts"]
    assert "Miễn lệ phí" in result["facts"] and result["qr_size"][0] > 100


@pytest.mark.kivy
@pytest.mark.slow
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_screenshots_of_every_screen_in_both_languages(hall: Hall, size: tuple[int, int]) -> None:
    """Saved under tests/artifacts/kiosk/ to be looked at: glyphs, clipping, layout."""
    from kiosk_app.config import hash_pin
    from kiosk_app.i18n import load_catalogue

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = hall.run(
        "screenshots", size=list(size), pin_hash=hash_pin(PIN), out=str(ARTIFACTS), mode="ticket"
    )
    # The pictures are for a person; what each one shows is checked here, from the
    # app's own state: the screen on show and the texts of its widgets.
    orientation = "portrait" if size[1] > size[0] else "landscape"
    for lang in ("vi", "en"):
        shots = {s["name"]: s for s in result["shots"] if s["lang"] == lang}
        assert {name: s["screen"] for name, s in shots.items()} == SCREEN_OF_SHOT, lang
        assert all(Path(s["path"]).is_file() for s in shots.values())
        assert load_catalogue(lang)["home.take_ticket"] in shots["home"]["texts"], lang
        issued = load_catalogue(lang)["ticket.take"].format(number="B")
        assert any(text.startswith(issued) for text in shots["ticket"]["texts"]), lang
        assert any(DOSSIER in text for text in shots["dossier"]["texts"]), lang
    assert len(result["shots"]) == 2 * len(SCREEN_OF_SHOT), orientation


# ---------------------------------------------------------------- child side (Kivy)


class Driver:
    """Taps widgets with real touch events and pumps the Kivy loop, every wait bounded."""

    def __init__(self, app: Any) -> None:
        from kivy.base import EventLoop

        self.app = app
        self.loop = EventLoop

    def pump(self, frames: int = 3) -> None:
        for _ in range(frames):
            self.loop.idle()

    def until(self, condition: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"screen {self.app.manager.current} never got there")
            self.pump(1)
            time.sleep(0.01)
        self.pump()

    def screen(self, name: str | None = None) -> Any:
        return self.app.manager.get_screen(name or self.app.manager.current)

    def tap(self, widget: Any) -> None:
        from kivy.tests.common import UnitTestTouch

        self.pump()
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.pump()

    def tap_id(self, widget_id: str, screen: str | None = None) -> None:
        self.tap(self.screen(screen).ids[widget_id])

    def button(self, screen: str, text: str) -> Any:
        from kivy.uix.button import Button

        for widget in self.screen(screen).walk():
            if isinstance(widget, Button) and widget.text == text:
                return widget
        raise LookupError(text)

    def shot(self, out: Path, name: str) -> str:
        self.pump(4)
        path = out / f"{name}.png"
        self.app.root.export_to_png(str(path))
        return str(path)


def _services_ready(driver: Driver) -> Callable[[], bool]:
    return lambda: bool(driver.screen("services").ids.grid.children)


def scenario_take_ticket(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    driver.until(_services_ready(driver))
    driver.tap_id("take_ticket", "home")
    grid = driver.screen("services").ids.grid
    driver.tap(next(b for b in grid.children if b.code == params["service"]))
    driver.tap_id("normal", "priority")
    ticket = driver.screen("ticket")
    wanted = params.get("expect", "issued")
    driver.until(lambda: ticket.phase == wanted)
    issued = ticket.issued
    return {
        "phase": ticket.phase,
        "number": issued.number if issued else None,
        "ticket_id": issued.ticket_id if issued else None,
        "headline": ticket.ids.headline.text,
        "details": ticket.ids.details.text,
    }


def scenario_services_list(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    driver.until(_services_ready(driver))
    driver.tap_id("take_ticket", "home")
    grid = driver.screen("services").ids.grid
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.shot(ARTIFACTS, "services_closed")
    return {"buttons": {b.code: {"text": b.text, "disabled": b.disabled} for b in grid.children}}


def scenario_scan_and_collect(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    dossier = driver.screen("dossier")
    driver.until(lambda: driver.app.manager.current == "dossier")
    title, facts = dossier.ids.title.text, dossier.ids.facts.text
    driver.tap_id("result_ticket", "dossier")
    ticket = driver.screen("ticket")
    driver.until(lambda: ticket.phase == "issued")
    return {
        "title": title,
        "facts": facts,
        "ticket": ticket.issued.number,
        "ticket_id": ticket.issued.ticket_id,
    }


def scenario_wrong_qr(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    lookup = driver.screen("lookup")
    driver.until(lambda: driver.app.manager.current == "lookup" and bool(lookup.message))
    driver.until(lambda: lookup.ids.preview.texture is not None)
    shot = driver.shot(Path(params["out"]), "landscape-vi-lookup-camera-wrong-qr")
    result = {
        "screen": driver.app.manager.current,
        "message": lookup.message,
        "camera": lookup.camera,
        "preview": list(lookup.ids.preview.texture.size),
        "shot": shot,
        "health_opened": driver.app.fleet.health(),
    }
    CAMERAS[-1].camera.unplug()
    driver.until(lambda: driver.app.fleet.scanners.get("camera") == "offline")
    return result | {"health_unplugged": driver.app.fleet.health()}


def scenario_type_code(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    if driver.app.manager.current != "lookup":
        driver.tap_id("lookup", "home")
    lookup = driver.screen("lookup")
    driver.until(lambda: bool(lookup.ids.keypad.children))
    for char in params["code"]:
        driver.tap(driver.button("lookup", char))
    driver.tap_id("search", "lookup")
    driver.until(lambda: not lookup.busy and bool(lookup.message))
    return {"message": lookup.message, "screen": driver.app.manager.current}


def _to_check_in(driver: Driver, params: dict[str, Any]) -> Any:
    """Home, a service, then "Tôi đã đặt lịch": the lookup screen checks bookings in."""
    driver.until(_services_ready(driver))
    driver.tap_id("take_ticket", "home")
    grid = driver.screen("services").ids.grid
    driver.tap(next(b for b in grid.children if b.code == params["service"]))
    labels = [b.text for b in driver.screen("priority").ids.groups.children]
    driver.tap_id("booked", "priority")
    return driver.screen("lookup"), labels


def _ticket_result(driver: Driver) -> dict[str, Any]:
    ticket = driver.screen("ticket")
    driver.until(lambda: driver.app.manager.current == "ticket" and ticket.phase == "issued")
    return {
        "number": ticket.issued.number,
        "ticket_id": ticket.issued.ticket_id,
        "headline": ticket.ids.headline.text,
    }


def scenario_appointment_scan(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    """The booking QR held to the camera right after "Tôi đã đặt lịch"."""
    _lookup, labels = _to_check_in(driver, params)
    return {"priority_buttons": labels, **_ticket_result(driver)}


def _typing(driver: Driver, lookup: Any) -> bool:
    on_screen = driver.app.manager.current == "lookup"
    return on_screen and lookup.purpose == "appointment" and bool(lookup.ids.keypad.children)


def _answered(driver: Driver, lookup: Any) -> bool:
    return driver.app.manager.current == "ticket" or (not lookup.busy and bool(lookup.message))


def scenario_appointment_typed(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    """Each of ``params["codes"]`` typed on the keys in turn; a refused one shows why and
    the normal-ticket button, which the last refused one taps."""
    results: list[dict[str, Any]] = []
    out = Path(params["out"])
    for index, code in enumerate(params["codes"]):
        lookup, _labels = _to_check_in(driver, params)
        driver.until(lambda page=lookup: _typing(driver, page))
        for char in code:
            driver.tap(driver.button("lookup", char))
        shot = driver.shot(out, f"{params['name']}-appointment-typed-{index}")
        driver.tap_id("search", "lookup")
        driver.until(lambda page=lookup: _answered(driver, page))
        if driver.app.manager.current == "ticket":
            results.append({"shot": shot, **_ticket_result(driver)})
            driver.shot(out, f"{params['name']}-appointment-ticket-{index}")
        else:
            refused = {"shot": driver.shot(out, f"{params['name']}-appointment-refused-{index}")}
            refused |= {"message": lookup.message, "normal_service": lookup.normal_service}
            driver.tap_id("normal_ticket", "lookup")
            refused["normal"] = _ticket_result(driver)
            results.append(refused)
        driver.app.go_home()
        driver.pump()
    return {"results": results}


def _enter_pin(driver: Driver, pin: str) -> None:
    for digit in pin:
        driver.tap(driver.button("technician", digit))
    driver.tap_id("enter", "technician")


def _open_technician(driver: Driver) -> None:
    title = driver.app.root.ids.title
    for _ in range(5):
        driver.tap(title)


def scenario_technician(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    driver.until(_services_ready(driver))
    _open_technician(driver)
    tech = driver.screen("technician")
    _enter_pin(driver, "1111")
    wrong = tech.message
    locked = driver.app.manager.current
    _enter_pin(driver, PIN)
    driver.until(lambda: tech.unlocked and bool(tech.printer_state))
    return {"wrong": wrong, "locked_screen": locked, "info": tech.ids.info.text}


def scenario_screenshots(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    out = Path(params["out"])
    orientation = "portrait" if params["size"][1] > params["size"][0] else "landscape"
    driver.until(_services_ready(driver))
    shots: list[dict[str, Any]] = []
    for lang in ("vi", "en"):
        shots += _screenshot_pass(driver, out, f"{orientation}-{lang}", lang)
    return {"shots": shots}


def _screenshot_pass(
    driver: Driver, out: Path, prefix: str, lang: str
) -> list[dict[str, Any]]:
    """Every screen once, in ``lang``, reached by touch as a visitor would."""
    app, shots = driver.app, []

    def shot(name: str) -> None:
        path = driver.shot(out, f"{prefix}-{name}")
        texts = [w.text for w in app.root.walk() if isinstance(getattr(w, "text", None), str)]
        screen = app.manager.current
        shots.append({"name": name, "lang": lang, "path": path, "screen": screen, "texts": texts})

    app.go("home")
    if app.lang != lang:
        driver.tap(app.root.ids.language)
    shot("home")
    driver.tap_id("take_ticket", "home")
    shot("services")
    grid = driver.screen("services").ids.grid
    driver.tap(next(b for b in grid.children if b.code == "ho-tich"))
    shot("priority")
    driver.tap_id("normal", "priority")
    ticket = driver.screen("ticket")
    driver.until(lambda: ticket.phase == "issued")
    shot("ticket")
    driver.tap_id("done", "ticket")
    if app.lang != lang:
        driver.tap(app.root.ids.language)
    driver.tap_id("lookup", "home")
    lookup = driver.screen("lookup")
    lookup.code = "12-AB"
    driver.tap_id("search", "lookup")
    driver.until(lambda: not lookup.busy and bool(lookup.message))
    shot("lookup-error")
    lookup.code = DOSSIER
    driver.tap_id("search", "lookup")
    driver.until(lambda: app.manager.current == "dossier")
    shot("dossier")
    driver.tap_id("back", "dossier")
    driver.tap_id("back", "lookup")
    if app.lang != lang:
        driver.tap(app.root.ids.language)
    driver.tap_id("rating", "home")
    shot("rate-lookup")
    lookup.code = SWEEP_DOSSIERS[prefix]
    driver.tap_id("search", "lookup")
    rate_nine(driver, {n: n % 3 for n in range(1, 10)})
    shot("rating")
    driver.tap_id("submit", "rating")
    driver.until(lambda: app.manager.current == "thanks")
    shot("thanks")
    driver.tap_id("done", "thanks")
    if app.lang != lang:
        driver.tap(app.root.ids.language)
    driver.tap_id("procedures", "home")
    procedures = driver.screen("procedures")
    driver.until(lambda: bool(procedures.ids.results.children))
    shot("procedures")
    _open_procedure(driver, "khai sinh")
    shot("procedure")
    _open_technician(driver)
    shot("technician-pin")
    _enter_pin(driver, PIN)
    tech = driver.screen("technician")
    driver.until(lambda: bool(tech.printer_state))
    shot("technician")
    driver.tap_id("pair", "technician")
    driver.until(lambda: bool(tech.pairing_code))
    shot("technician-pair")
    driver.tap_id("cancel_pairing", "technician")
    app.online = False
    driver.tap_id("close", "technician")
    if app.lang != lang:
        driver.tap(app.root.ids.language)
    shot("home-offline")
    app.online = True
    return shots


def rate_nine(driver: Driver, scores: dict[int, int]) -> Any:
    """Wait for the rating screen and tap each indicator's answer, scrolling to it."""
    app, rating = driver.app, driver.screen("rating")
    driver.until(lambda: app.manager.current == "rating" and len(rating.ids.rows.children) == 9)
    for number, score in scores.items():
        choice = rating.row(int(number)).choice(score)
        rating.ids.scroll.scroll_to(choice, animate=False)
        driver.pump()
        driver.tap(choice)
    driver.until(lambda: len(rating.chosen) == 9 and not rating.ids.submit.disabled)
    return rating


def scenario_idle(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    app = driver.app
    driver.until(_services_ready(driver))
    driver.tap(app.root.ids.language)
    driver.tap_id("take_ticket", "home")
    before = (app.manager.current, app.lang)
    app._last_touch -= app.kiosk.idle_s  # a minute without a touch
    driver.until(lambda: app.manager.current == "home")
    return {"before": list(before), "after": [app.manager.current, app.lang]}


def _open_procedure(driver: Driver, words: str) -> list[str]:
    """Type ``words`` on the on-screen keys until one procedure is left, and open it."""
    screen = driver.screen("procedures")
    driver.until(lambda: bool(screen.ids.keypad.children))
    for char in words:
        driver.tap(driver.button("procedures", char.upper() if char != " " else "␣"))
    driver.until(lambda: screen.shown_query == words and len(screen.ids.results.children) == 1)
    found = [b.text for b in screen.ids.results.children]
    driver.tap(screen.ids.results.children[0])
    detail = driver.screen("procedure")
    driver.until(lambda: detail.ids.qr.texture is not None)
    return found


def scenario_procedures(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    driver.tap_id("procedures", "home")
    screen = driver.screen("procedures")
    driver.until(lambda: bool(screen.fields))
    found = _open_procedure(driver, "khai sinh")
    detail = driver.screen("procedure")
    return {
        "fields": list(screen.fields),
        "found": found,
        "name": detail.ids.title.text,
        "facts": detail.ids.facts.text,
        "qr_size": list(detail.ids.qr.texture.size),
    }


def scenario_steps(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    """Several scenarios in one kiosk session, each starting from the home screen."""
    results = {}
    for step in params["steps"]:
        driver.app.go_home()
        driver.pump()
        results[step] = SCENARIOS[step](driver, params)
    return results


def scenario_trust_pairing(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    """An unpaired kiosk given no CA: the fingerprint of the CA it fetched waits for the
    technician's confirmation; only then does a pairing code come."""
    tech = driver.screen("technician")
    driver.until(lambda: tech.panel == "pair" and tech.confirm and bool(tech.fingerprint))
    before = {"fingerprint": tech.fingerprint, "code": tech.pairing_code}
    shot = driver.shot(ARTIFACTS, "technician-pair-confirm-fingerprint")
    driver.tap(tech.ids.fingerprint.ids.confirm)
    driver.until(lambda: bool(tech.pairing_code))
    after = driver.shot(ARTIFACTS, "technician-pair-after-confirm")
    return {**before, "after_code": tech.pairing_code, "shots": [shot, after]}


def scenario_untrusted_banner(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    """A kiosk whose server is refused names the certificate problem on its banner."""
    app = driver.app
    driver.until(lambda: bool(app.untrusted))
    shot = driver.shot(ARTIFACTS, f"home-untrusted-{app.lang}")
    return {"banner": app.root.ids.banner.text, "online": app.online, "shot": shot}


Scenario = Callable[[Driver, dict[str, Any]], dict[str, Any]]

SCENARIOS: dict[str, Scenario] = {
    "trust_pairing": scenario_trust_pairing,
    "untrusted_banner": scenario_untrusted_banner,
    "take_ticket": scenario_take_ticket,
    "services_list": scenario_services_list,
    "scan_and_collect": scenario_scan_and_collect,
    "type_code": scenario_type_code,
    "wrong_qr": scenario_wrong_qr,
    "technician": scenario_technician,
    "screenshots": scenario_screenshots,
    "idle": scenario_idle,
    "procedures": scenario_procedures,
    "steps": scenario_steps,
    "appointment_scan": scenario_appointment_scan,
    "appointment_typed": scenario_appointment_typed,
}


#: The cameras the child opened, to see that stopping the app stops them too.
CAMERAS: list[Any] = []


def camera_factory(payload: str) -> Callable[[str, Any], Any]:
    """A camera that films the receipt's QR code: the real capture and decode pipeline."""
    from drivers.scanner.camera import CameraScanner
    from drivers.scanner.emulator import ImageFrameSource, render_code_frame

    def factory(config: str, on_scan: Any, *, on_error: Any = None) -> Any:
        frames = ImageFrameSource([render_code_frame(payload)], loop=True, fps=10)
        scanner = CameraScanner(frames, on_scan, on_error=on_error, source="camera:0")
        scanner.open()
        CAMERAS.append(scanner)
        return scanner

    return factory


def build_kiosk(
    params: dict[str, Any],
    device: str,
    scanners: tuple[str, ...],
    scanner_factory: Callable[[str, Any], Any] | None = None,
) -> Any:
    """The kiosk app of a child run, prepared and not yet running (``Hall.run``'s params)."""
    from device_kit.trust_settings import TrustSettings
    from device_kit.ui.kivy_setup import configure_kivy
    from kiosk_app.config import KioskConfig
    from kiosk_app.main import build_app

    config = KioskConfig(
        mode=params["mode"],
        server_url=params["server_url"],
        token=params["token"],
        data_dir=Path(params["data_dir"]),
        printer_url=params["printer_url"],
        scanners=scanners,
        windowed=True,
        size=tuple(params["size"]),
        device=device,
        pin_hash=params.get("pin_hash"),
        trust_settings=TrustSettings(fingerprint=params.get("fingerprint")),
    )
    configure_kivy(config.size, config.windowed)
    app = build_app(config, scanner_factory=scanner_factory)
    app._run_prepare()
    return app


def print_result(result: dict[str, Any]) -> None:
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


def card_scanner_child(scenario: Scenario, params: dict[str, Any], device: str) -> None:
    """A kiosk child whose scanner is the serial scanner emulator, which the scenario
    gets as ``params["scanner"]`` to hold codes (ID cards, bookings) to."""
    from drivers.scanner.emulator import SerialScannerEmulator

    with SerialScannerEmulator() as scanner:
        app = build_kiosk(params, device, (f"serial:{scanner.port}",))
        result = scenario(Driver(app), params | {"scanner": scanner})
        app.stop()
    print_result(result)


def child(scenario: str, params: dict[str, Any]) -> None:
    with_camera = "qr_payload" in params
    factory = camera_factory(params["qr_payload"]) if with_camera else None
    app = build_kiosk(params, "kiosk-e2e", ("camera:0",) if with_camera else (), factory)
    result = SCENARIOS[scenario](Driver(app), params)
    app.stop()
    result["cameras_running"] = sum(not camera.wait(0) for camera in CAMERAS)
    result["jobs_running"] = len(app.finish_jobs(0))
    print_result(result)


if __name__ == "__main__":
    child(sys.argv[1], json.loads(sys.argv[2]))
