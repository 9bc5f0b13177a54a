"""The rating terminal against the real server: started with no token it shows a
pairing code, and once an admin enters it (choosing counter 3) it is the
terminal of that counter without a restart; the officer finishes, the terminal
asks, a touch stores one rating, and a second rating of the ticket is refused; as
a fleet member, an admin moves it to another counter without a restart."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from kivy_process import ROOT, KivyProcess, read_jsonl, wait_for
from PIL import Image
from sqlalchemy import select

from drivers.keypad import Key
from drivers.keypad.emulator import KeypadEmulator
from queue_server.adapters.tables import quick_ratings

if TYPE_CHECKING:
    from floor import Floor

pytestmark = pytest.mark.timeout(120)

SHOTS = ROOT / "tests" / "artifacts" / "rating"
PIN_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"


class Terminal:
    """The terminal process; ``paired=False`` starts it with no token (it pairs by code)."""

    def __init__(
        self, floor: Floor, workdir: Path, touch: str, keypad: str | None, *, paired: bool = True
    ) -> None:
        self.trace = workdir / "rating-trace.jsonl"
        self.data_dir = workdir / "terminal"
        self.token = floor.rating_token(3) if paired else "none"
        self.process = KivyProcess(
            [
                str(ROOT / "tests/e2e/rating_driver.py"),
                floor.server.url,
                self.token,
                "800x480",
                touch,
            ],
            workdir,
            "rating",
        )
        self.process.env["MOTCUA_RATING_TRACE"] = str(self.trace)
        self.process.env["MOTCUA_HEARTBEAT_S"] = "0.5"
        self.process.env["MOTCUA_KIOSK_DIR"] = str(self.data_dir)
        self.process.env.pop("MOTCUA_TOKEN", None)
        if keypad:
            self.process.env["MOTCUA_RATING_KEYPAD"] = keypad

    def frames(self) -> list[dict[str, Any]]:
        return read_jsonl(self.trace)

    def reaches(self, step: str, within: float = 20) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            assert self.process.alive(), self.process.tail()
            found = [f for f in self.frames() if f["step"] == step]
            return found[-1] if found else None

        return wait_for(probe, within, f"the terminal showing {step}")


def served(floor: Floor, at: int = 3, who: str = "officer") -> tuple[dict[str, Any], float]:
    """Issue, call and finish a ticket at counter ``at`` over HTTP; when the finish returned."""
    url = floor.server.url + "/api/v1"
    officer = {"Authorization": f"Bearer {floor.token(who)}"}
    kiosk = {"Authorization": f"Bearer {floor.token('kiosk')}"}
    counter = f"{url}/counters/{floor.api.counters[at]}"
    ticket = requests.post(f"{url}/tickets", json={"service": "ho-tich"}, headers=kiosk, timeout=10)
    assert requests.post(f"{counter}/call-next", headers=officer, timeout=10).ok
    finished = requests.post(f"{counter}/finish", headers=officer, timeout=10)
    assert finished.ok
    return ticket.json(), time.time()


def stored(floor: Floor) -> list[Any]:
    with floor.api.runtime.uow(readonly=True) as uow:
        return list(uow.session.execute(select(quick_ratings)).all())


@pytest.fixture
def signed_in(floor: Floor) -> Floor:
    url = f"{floor.server.url}/api/v1/counters/{floor.api.counters[3]}/sign-in"
    headers = {"Authorization": f"Bearer {floor.token('officer')}"}
    assert requests.post(url, headers=headers, timeout=10).ok
    return floor


def pair_by_code(floor: Floor, terminal: Terminal, counter: int) -> None:
    """Read the code off the pairing screen (saved at both sizes), enter it with the
    counter (binding to a counter is an admin's), and keep the token the terminal stored."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in ("800x480", "1280x800"):
        (SHOTS / f"pairing_{size}.png").unlink(missing_ok=True)
    terminal.data_dir.mkdir()
    pairing_file = terminal.data_dir / "pairing.json"
    pairing_file.write_text(json.dumps({"pin_hash": PIN_HASH}), "utf-8")
    terminal.process.env["MOTCUA_RATING_SHOTS"] = str(SHOTS)
    terminal.process.start()
    shown = terminal.reaches("pairing", within=60)
    code = wait_for(
        lambda: terminal.frames()[-1]["pairing_code"], 30, "the pairing code on the screen"
    )
    assert shown["counter"] is None and len(code) == 6 and code.isdigit()
    for size in ("800x480", "1280x800"):
        shot = SHOTS / f"pairing_{size}.png"
        wait_for(shot.exists, 20, f"the pairing screen at {size}")
        width, height = (int(v) for v in size.split("x"))
        assert Image.open(shot).size == (width, height)
    confirmed = requests.post(
        f"{floor.server.url}/api/v1/devices/pair",
        json={"code": code, "name": f"rating-{counter}", "counter": counter},
        headers={"Authorization": f"Bearer {floor.token('admin')}"},
        timeout=10,
    )
    assert confirmed.status_code == 201, confirmed.text

    def stored_pairing() -> dict[str, Any] | None:
        kept: dict[str, Any] = json.loads(pairing_file.read_text("utf-8"))
        return kept if "token" in kept else None

    kept = wait_for(stored_pairing, 30, "the stored pairing")
    assert kept["pin_hash"] == PIN_HASH and kept["server_url"] == floor.server.url
    assert pairing_file.stat().st_mode & 0o777 == 0o600
    terminal.token = kept["token"]


def test_paired_by_code_a_finish_asks_a_touch_rates_once_and_a_second_rating_is_refused(
    signed_in: Floor, tmp_path: Path
) -> None:
    floor = signed_in
    terminal = Terminal(floor, tmp_path, "VERY_SATISFIED", None, paired=False)
    try:
        pair_by_code(floor, terminal, 3)
        idle = terminal.reaches("idle", within=60)
        wait_for(
            lambda: any(f["officer"] == "officer" for f in terminal.frames()), 20, "the officer"
        )
        assert idle["counter"] in (None, 3)
        ticket, finished_at = served(floor)
        asked = terminal.reaches("ask")
        assert asked["ticket_number"] == ticket["number"]
        print(f"finish -> question on screen: {asked['t'] - finished_at:.3f} s")
        terminal.reaches("thanks")
        rows = wait_for(lambda: stored(floor), 10, "the stored rating")
        assert [(r.ticket_id, r.level, r.counter_id) for r in rows] == [
            (ticket["id"], "very_satisfied", floor.api.counters[3])
        ]
        again = requests.post(
            f"{floor.server.url}/api/v1/ratings",
            json={"ticket_id": ticket["id"], "level": "not_satisfied"},
            headers={"Authorization": f"Bearer {terminal.token}"},
            timeout=10,
        )
        assert again.status_code == 409
        assert again.json()["error"]["message_vi"] == (
            "Số thứ tự này đã được đánh giá; mỗi lượt chỉ đánh giá một lần."
        )
        terminal.reaches("idle", within=20)
        assert len(stored(floor)) == 1

        # The admin moves the terminal to counter 4: it follows without a restart.
        admin = {"Authorization": f"Bearer {floor.token('admin')}"}
        devices = f"{floor.server.url}/api/v1/devices"

        def listed() -> dict[str, Any] | None:
            fleet = requests.get(devices, headers=admin, timeout=10).json()["devices"]
            return next((d for d in fleet if d["role"] == "rating"), None)

        device = wait_for(listed, 20, "the terminal's heartbeat")
        assert device["name"] == "rating-3" and device["status"] == "ok"
        moved = requests.put(
            f"{devices}/{device['id']}/config", json={"counter": 4}, headers=admin, timeout=10
        )
        assert moved.ok, moved.text
        wait_for(lambda: terminal.frames()[-1]["counter"] == 4, 20, "the terminal at counter 4")
        ticket, _ = served(floor, at=4, who="admin")
        wait_for(
            lambda: any(f["ticket_number"] == ticket["number"] for f in terminal.frames()),
            20,
            "the question at counter 4",
        )
        rows = wait_for(lambda: len(stored(floor)) == 2 and stored(floor), 10, "the second rating")
        assert (rows[-1].ticket_id, rows[-1].counter_id) == (ticket["id"], floor.api.counters[4])
    finally:
        terminal.process.stop()


def test_the_keypad_rating_key_answers_the_question(signed_in: Floor, tmp_path: Path) -> None:
    floor = signed_in
    with KeypadEmulator(addresses=(3,), link=tmp_path / "ttyKEYPAD") as keypad:
        terminal = Terminal(floor, tmp_path, "none", f"{keypad.path}:3")
        terminal.process.start()
        try:
            terminal.reaches("idle", within=60)
            ticket, _ = served(floor)
            terminal.reaches("ask")
            keypad.press(Key.NOT_SATISFIED, 3)
            terminal.reaches("thanks")
            rows = wait_for(lambda: stored(floor), 10, "the stored rating")
            assert [(r.ticket_id, r.level, r.reasons) for r in rows] == [
                (ticket["id"], "not_satisfied", [])
            ]

            # The keypad's cable is pulled: the fleet page says which port, then all is
            # well again once it is back, and its keys answer the next question.
            technician = {"Authorization": f"Bearer {floor.token('technician')}"}

            def health() -> dict[str, Any]:
                devices = f"{floor.server.url}/api/v1/devices"
                fleet = requests.get(devices, headers=technician, timeout=10).json()["devices"]
                return next(d for d in fleet if d["role"] == "rating")

            keypad.vanish()
            lost = wait_for(
                lambda: (d := health())["health"]["serial"] == "offline" and d, 20,
                "the keypad reported missing",
            )
            assert lost["status"] == "unhealthy" and str(keypad.path) in lost["health"]["detail"]
            keypad.restore()
            back = wait_for(
                lambda: (d := health())["health"]["serial"] == "ok" and d, 20,
                "the keypad reported back",
            )
            assert back["status"] == "ok"
            second, _ = served(floor)
            wait_for(
                lambda: terminal.frames()[-1].get("ticket_number") == second["number"], 20,
                "the next question",
            )
            keypad.press(Key.SATISFIED, 3)
            rows = wait_for(lambda: len(stored(floor)) == 2 and stored(floor), 10, "rating 2")
            assert (rows[-1].ticket_id, rows[-1].level) == (second["id"], "satisfied")
        finally:
            terminal.process.stop()
