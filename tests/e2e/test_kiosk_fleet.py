"""One kiosk, from unpaired to rating dossiers and printing where the fleet says.

A single headless Kivy kiosk (this file run as a script) lives for the whole
module and takes its steps from stdin, one JSON line each, answering each with
a ``RESULT {json}`` line; between steps the test acts as the technician and the
hall (pairing through the API, a configuration change, a printer out of paper)
and checks what the server and the printer emulators got.
"""

from __future__ import annotations

import json
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from clocks import TickingClock
from kivy_process import headless_env, wait_for
from test_kiosk_flow import (
    ARTIFACTS,
    DOSSIER,
    Driver,
    _mirror_dossier,
    rate_nine,
    scenario_take_ticket,
)

ROOT = Path(__file__).resolve().parents[2]
FLEET_NAME = "kiosk-sanh-1"
# What the visitor answers for indicators 1..9 (2, 1 or 0 points each).
SCORES = {1: 2, 2: 1, 3: 2, 4: 0, 5: 2, 6: 1, 7: 2, 8: 2, 9: 0}


# ---------------------------------------------------------------- parent side (pytest)


class KioskSession:
    """The kiosk child process: ``do(step)`` sends a step and waits for its RESULT."""

    def __init__(self, params: dict[str, Any], workdir: Path) -> None:
        self.log_path = workdir / "kiosk-fleet.log"
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, __file__, json.dumps(params)],
            env=headless_env(workdir / "kivy-home"),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put("")

    def do(self, step: str, timeout: float = 120.0, **params: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"step": step, **params}) + "\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if line.startswith("RESULT "):
                answer = json.loads(line[len("RESULT ") :])
                assert "error" not in answer, answer["error"] + self.tail()
                return answer
            if not line and (time.monotonic() > deadline or self.process.poll() is not None):
                raise AssertionError(f"kiosk step {step} gave no result\n{self.tail()}")

    def tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.do("quit", timeout=30)
            except AssertionError:
                pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()


@dataclass
class Centre:
    server_url: str
    tokens: dict[str, str]
    printers: list[Any]
    kiosk: KioskSession

    def api(self, method: str, path: str, role: str = "technician", **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        response = requests.request(
            method, f"{self.server_url}/api/v1{path}", headers=headers, timeout=10, **kwargs
        )
        assert response.status_code < 400, response.text
        return response.json() if response.content else None

    def device(self, name: str = FLEET_NAME) -> dict[str, Any] | None:
        return next((d for d in self.api("GET", "/devices")["devices"] if d["name"] == name), None)

    def waiting(self, service: str) -> int:
        snapshot = self.api("GET", "/queue")
        return next(s["waiting"] for s in snapshot["services"] if s["code"] == service)


@pytest.fixture(scope="module")
def centre(
    tmp_path_factory: pytest.TempPathFactory,
    ticking_clock: TickingClock,
) -> Iterator[Centre]:
    """A live server with a finished dossier, two printer emulators, and a kiosk that
    starts with no token at all (fresh from the box), its camera filming the receipt."""
    from live_server import LiveServer
    from printer_fixtures import running_emulator
    from server_fixtures import build_runtime, seed_callers


    tmp = tmp_path_factory.mktemp("fleet")
    url = f"sqlite:///{tmp / 'motcua.db'}"
    runtime = build_runtime(url, None, tmp, ticking_clock)
    tokens, _counters = seed_callers(runtime)
    _mirror_dossier(runtime)
    runtime.db.dispose()
    server = LiveServer(url, tmp).start()
    try:
        with (
            running_emulator(tmp / "printer-1") as first,
            running_emulator(tmp / "printer-2") as second,
        ):
            params = {
                "server_url": server.url,
                "printer_url": f"tcp://127.0.0.1:{first.port}",
                "data_dir": str(tmp / "kiosk"),
                "qr_payload": f"https://dichvucong.example.vn/tra-cuu?MHS={DOSSIER}",
                "out": str(ARTIFACTS),
            }
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            kiosk = KioskSession(params, tmp)
            try:
                yield Centre(server.url, tokens, [first, second], kiosk)
            finally:
                kiosk.close()
    finally:
        server.kill()  # open event streams would hold a graceful stop for its full timeout


@pytest.fixture(scope="module")
def paired(centre: Centre) -> dict[str, Any]:
    """The technician reads the code off the kiosk and enters it (through the API)."""
    shown = centre.kiosk.do("pairing_code")
    centre.api("POST", "/devices/pair", json={"code": shown["code"], "name": FLEET_NAME})
    return {"shown": shown, **centre.kiosk.do("await_paired", name=FLEET_NAME)}


@pytest.mark.kivy
@pytest.mark.slow
def test_a_kiosk_without_token_pairs_by_the_code_on_its_screen(
    centre: Centre, paired: dict[str, Any]
) -> None:
    shown = paired["shown"]
    assert shown["screen"] == "technician" and len(shown["code"]) == 6
    assert shown["code"].isdigit() and " ".join(shown["code"]) == shown["label"]
    assert paired["screen"] == "home" and paired["pairing_file"]
    assert paired["services"] > 0
    device = wait_for(
        lambda: (d := centre.device()) and d["health"].get("role") and d, 20, "a heartbeat"
    )
    assert device["kind"] == "kiosk" and device["health"]["role"] == "kiosk-ticket"
    assert f"{FLEET_NAME}" in paired["info"] and "Phiên bản cấu hình:[/b] 1" in paired["info"]


@pytest.mark.kivy
@pytest.mark.slow
def test_a_scanned_dossier_is_rated_with_nine_choices_and_only_once(
    centre: Centre, paired: dict[str, Any]
) -> None:
    first = centre.kiosk.do("rate_by_scan", scores=SCORES)
    assert first["title"] == f"Đánh giá hồ sơ {DOSSIER}"
    assert first["indicators"] == 9 and first["submit_disabled_before"] is True
    assert first["screen"] == "thanks" and "Cảm ơn" in first["headline"]
    assert f"{sum(SCORES.values())}/18" in first["details"]
    stats = centre.api("GET", "/ratings/stats", role="admin")["detailed"]
    assert stats["count"] == 1
    assert stats["mean_by_indicator"] == {str(n): float(s) for n, s in SCORES.items()}

    again = centre.kiosk.do("rate_by_scan", scores=SCORES, shot="portrait-vi-rating-refused")
    assert again == {"screen": "lookup", "message": "Hồ sơ này đã được đánh giá."}
    assert centre.api("GET", "/ratings/stats", role="admin")["detailed"]["count"] == 1


@pytest.mark.kivy
@pytest.mark.slow
def test_a_printer_set_on_the_server_prints_the_next_ticket(
    centre: Centre, paired: dict[str, Any]
) -> None:
    first, second = centre.printers
    device = centre.device()
    assert device is not None
    url = f"tcp://127.0.0.1:{second.port}"
    centre.api("PUT", f"/devices/{device['id']}/config", json={"printer_url": url, "paper": 80})
    moved = centre.kiosk.do("await_printer", url=url)
    assert "Phiên bản cấu hình:[/b] 2" in moved["info"]
    before = len(first.jobs)
    issued = centre.kiosk.do("take_ticket", service="ho-tich")
    wait_for(lambda: any(issued["number"] in job.text for job in second.jobs), 10, "the job")
    assert len(first.jobs) == before


@pytest.mark.kivy
@pytest.mark.slow
def test_paper_out_issues_nothing_and_the_fleet_page_flags_the_kiosk(
    centre: Centre, paired: dict[str, Any]
) -> None:
    printer = centre.printers[1]
    waiting, jobs = centre.waiting("ho-tich"), len(printer.jobs)
    printer.paper_out = True
    try:
        refused = centre.kiosk.do("take_ticket", service="ho-tich", expect="refused")
        flagged = wait_for(
            lambda: (d := centre.device()) and d["status"] == "unhealthy" and d,
            20,
            "the fleet to flag the kiosk",
        )
    finally:
        printer.paper_out = False
    assert refused["number"] is None and "hết giấy" in refused["details"]
    assert centre.waiting("ho-tich") == waiting and len(printer.jobs) == jobs
    assert flagged["health"]["printer"] == "paper_out" and "printer" in flagged["problems"]
    assert "hết giấy" in flagged["health"]["detail"]


# ---------------------------------------------------------------- child side (Kivy)


def step_pairing_code(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    tech = driver.screen("technician")
    driver.until(lambda: bool(tech.pairing_code))
    shot = driver.shot(Path(params["out"]), "portrait-vi-technician-pairing")
    return {
        "screen": driver.app.manager.current,
        "code": tech.pairing_code,
        "label": tech.ids.pairing_code.text,
        "shot": shot,
    }


def step_await_paired(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    app = driver.app
    driver.until(lambda: app.fleet.name == params["name"] and app.manager.current == "home")
    driver.until(lambda: bool(driver.screen("services").ids.grid.children))
    return {
        "screen": app.manager.current,
        "pairing_file": (app.kiosk.data_dir / "pairing.json").is_file(),
        "services": len(driver.screen("services").ids.grid.children),
        "info": driver.screen("technician").info(app.lang),
    }


def step_rate_by_scan(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    """Home → "Đánh giá" → the camera reads the receipt → nine taps → send; a dossier
    rated already is refused on the scan screen, before any question."""
    app, rating, lookup = driver.app, driver.screen("rating"), driver.screen("lookup")
    app.go_home()
    driver.tap_id("rating", "home")
    driver.until(
        lambda: (
            (app.manager.current == "rating" and len(rating.ids.rows.children) == 9)
            or (app.manager.current == "lookup" and bool(lookup.message) and not lookup.busy)
        )
    )
    if app.manager.current == "lookup":
        if "shot" in params:
            driver.shot(Path(params["out"]), params["shot"])
        return {"screen": "lookup", "message": lookup.message}
    before = rating.ids.submit.disabled
    rate_nine(driver, params["scores"])
    driver.tap_id("submit", "rating")
    driver.until(lambda: app.manager.current == "thanks" or (rating.message and not rating.busy))
    thanks = driver.screen("thanks")
    return {
        "title": rating.ids.title.text,
        "indicators": len(rating.ids.rows.children),
        "submit_disabled_before": before,
        "screen": app.manager.current,
        "message": rating.message,
        "headline": thanks.ids.headline.text,
        "details": thanks.ids.details.text,
    }


def step_await_printer(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    app = driver.app
    driver.until(lambda: app.hardware.printer_url == params["url"])
    return {"info": driver.screen("technician").info(app.lang)}


def step_take_ticket(driver: Driver, params: dict[str, Any]) -> dict[str, Any]:
    driver.app.go_home()
    driver.pump()
    return scenario_take_ticket(driver, params)


STEPS = {
    "pairing_code": step_pairing_code,
    "await_paired": step_await_paired,
    "rate_by_scan": step_rate_by_scan,
    "await_printer": step_await_printer,
    "take_ticket": step_take_ticket,
}


def child(params: dict[str, Any]) -> None:
    from test_kiosk_flow import camera_factory

    from device_kit.ui.kivy_setup import configure_kivy
    from kiosk_app.config import KioskConfig
    from kiosk_app.main import build_app

    config = KioskConfig(
        mode="ticket",
        server_url=params["server_url"],
        token=None,
        data_dir=Path(params["data_dir"]),
        printer_url=params["printer_url"],
        scanners=("camera:0",),
        windowed=True,
        size=(1080, 1920),
        device="kiosk-e2e-fleet",
        fleet_interval_s=600.0,  # no routine heartbeat: every one seen here was asked for
    )
    configure_kivy(config.size, config.windowed)
    app = build_app(config, scanner_factory=camera_factory(params["qr_payload"]))
    app._run_prepare()
    driver = Driver(app)
    while True:
        driver.pump(1)
        if not select.select([sys.stdin], [], [], 0.02)[0]:
            continue
        line = sys.stdin.readline()
        request = json.loads(line) if line.strip() else {"step": "quit"}
        if request["step"] == "quit":
            break
        try:
            result = STEPS[request["step"]](driver, {**params, **request})
        except Exception as error:  # the test shows it with the log
            result = {"error": f"{type(error).__name__}: {error}"}
        print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    print("RESULT {}", flush=True)
    app.stop()


if __name__ == "__main__":
    child(json.loads(sys.argv[1]))
