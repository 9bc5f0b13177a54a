"""The Kivy hall board against the real server: a call shows up and is announced in
Vietnamese; a server outage while calls go on is caught up without a restart,
with no call announced twice and none missed; as a fleet member it reports its
role and takes the layout a technician pushes, where no flag says otherwise. It
starts with no token: the TV shows a pairing code, a technician enters it, and the
board carries on as the hall board without a restart."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from kivy_process import KivyProcess, read_jsonl, wait_for

from drivers.audio import spoken_text

if TYPE_CHECKING:
    from floor import Floor

pytestmark = pytest.mark.timeout(180)

#: The acceptance asks for 20 s; shorten with MOTCUA_E2E_OUTAGE_S on a slow machine.
OUTAGE_S = float(os.environ.get("MOTCUA_E2E_OUTAGE_S", "20"))
CODE_LINE = re.compile(r"Mã / Code: (\d{3}) (\d{3})")
COUNTERS = 6  # the example site's; the board shows them all until a layout says otherwise


class Hall:
    """The hall board process, its frame trace and its announcement folder."""

    def __init__(self, floor: Floor, workdir: Path, offline_after: float) -> None:
        self.trace = workdir / "board-trace.jsonl"
        self.wav_dir = workdir / "announcements"
        self.process = KivyProcess(
            [
                "-m",
                "display_board.main",
                "--server",
                floor.server.url,
                "hall",
                "--windowed",
                "--size",
                "1366x768",
                "--languages",
                "vi,en",
                "--audio",
                "wav",
                "--wav-dir",
                str(self.wav_dir),
                "--trace",
                str(self.trace),
                "--announce-max-age",
                "600",
                "--offline-after",
                str(offline_after),
            ],
            workdir,
            "board",
        )
        self.box = workdir / "box"
        self.process.env |= {"MOTCUA_BOARD_DIR": str(self.box), "MOTCUA_HEARTBEAT_S": "0.5"}
        self.process.env.pop("MOTCUA_TOKEN", None)

    def pairing_code(self) -> str | None:
        """The code the TV shows, also printed on the box's console."""
        found = CODE_LINE.findall(self.process.tail())
        return "".join(found[-1]) if found else None

    def frames(self) -> list[dict[str, Any]]:
        return read_jsonl(self.trace)

    def shows(self, counter: int, number: str, within: float = 20) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            assert self.process.alive(), self.process.tail()
            frames = self.frames()
            last = frames[-1] if frames else None
            shown = dict(zip(last["counters"], last["numbers"], strict=True)) if last else {}
            return last if shown.get(counter) == number else None

        return wait_for(probe, within, f"counter {counter} showing {number}")

    def announced(self) -> list[dict[str, Any]]:
        return read_jsonl(self.wav_dir / "timeline.jsonl")


class Desk:
    """The officer at counter 3 and the kiosk, over HTTP."""

    def __init__(self, floor: Floor) -> None:
        self.url = floor.server.url + "/api/v1"
        self.officer = {"Authorization": f"Bearer {floor.token('officer')}"}
        self.kiosk = {"Authorization": f"Bearer {floor.token('kiosk')}"}
        self.counter3 = floor.api.counters[3]

    def post(self, path: str, headers: dict[str, str], **body: Any) -> Any:
        answer = requests.post(self.url + path, headers=headers, json=body, timeout=10)
        assert answer.ok, answer.text
        return answer.json() if answer.content else None

    def pair(self, floor: Floor, code: str, name: str) -> None:
        technician = {"Authorization": f"Bearer {floor.token('technician')}"}
        answer = requests.post(
            self.url + "/devices/pair",
            json={"code": code, "name": name},
            headers=technician,
            timeout=10,
        )
        assert answer.status_code == 201, answer.text

    def hall_board(self, floor: Floor) -> dict[str, Any] | None:
        """The board in the technician's fleet list once it has reported."""
        technician = {"Authorization": f"Bearer {floor.token('technician')}"}
        fleet = requests.get(self.url + "/devices", headers=technician, timeout=10).json()
        return next((d for d in fleet["devices"] if d["role"] == "hall-board"), None)

    def configure(self, floor: Floor, device_id: int, **config: Any) -> None:
        technician = {"Authorization": f"Bearer {floor.token('technician')}"}
        answer = requests.put(
            f"{self.url}/devices/{device_id}/config", json=config, headers=technician, timeout=10
        )
        assert answer.ok, answer.text

    def issue(self) -> str:
        return str(self.post("/tickets", self.kiosk, service="ho-tich")["number"])

    def act(self, action: str) -> Any:
        return self.post(f"/counters/{self.counter3}/{action}", self.officer)


@pytest.fixture
def hall(floor: Floor, tmp_path: Path) -> Any:
    board = Hall(floor, tmp_path, offline_after=3.0)
    board.process.start()
    yield board
    board.process.stop()


def test_a_call_is_shown_and_announced_and_an_outage_is_caught_up(floor: Floor, hall: Hall) -> None:
    desk = Desk(floor)
    code = wait_for(hall.pairing_code, 60, "the pairing code: " + hall.process.tail())
    desk.pair(floor, code, "tv-sanh")
    wait_for(lambda: hall.frames(), 30, "the board's first frame: " + hall.process.tail())
    assert (hall.box / "pairing.json").stat().st_mode & 0o777 == 0o600
    desk.act("sign-in")
    numbers = [desk.issue() for _ in range(6)]

    first = desk.act("call-next")["number"]
    assert first == numbers[0]
    hall.shows(3, first)
    announced = wait_for(hall.announced, 30, "the first announcement")
    assert announced[0]["label"] == first
    assert announced[0]["text"] == spoken_text(first, 3, "vi", "digits")
    assert announced[0]["text"].startswith("Mời công dân có số")
    wav = (hall.wav_dir / announced[0]["file"]).read_bytes()
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"

    # Two quick calls (their announcements still queued), a recall, then the server dies.
    desk.act("call-next")
    desk.act("recall")
    desk.act("call-next")
    floor.server.kill()
    down_since = time.monotonic()
    # While it is down, the officer's console keeps working on the same database.
    assert floor.api.desk(3, "call-next", "officer").json["number"] == numbers[3]
    assert floor.api.desk(3, "call-next", "officer").json["number"] == numbers[4]
    wait_for(lambda: hall.frames()[-1]["offline"], 30, "the offline mark")
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_since)))
    floor.server.start()

    frame = hall.shows(3, numbers[4], within=60)
    wait_for(lambda: not hall.frames()[-1]["offline"], 30, "the offline mark to clear")
    expected = [
        (numbers[0], False),
        (numbers[1], False),
        (numbers[1], True),
        (numbers[2], False),
        (numbers[3], False),
        (numbers[4], False),
    ]
    wait_for(lambda: len(hall.announced()) >= len(expected), 60, "every announcement")
    time.sleep(1.0)  # nothing more may arrive: a duplicate would show up here
    spoken = hall.announced()
    assert [entry["label"] for entry in spoken] == [n for n, _ in expected]
    assert [entry["text"] for entry in spoken] == [
        spoken_text(n, 3, "vi", "digits", recall=recall) for n, recall in expected
    ]
    starts = [(e["start"], e["end"]) for e in spoken]
    assert all(end <= nxt for (_, end), (nxt, _) in zip(starts, starts[1:], strict=False))
    assert frame["numbers"][2] == numbers[4]

    # A fleet member: listed with its role; a pushed layout applies live, the flag wins.
    board = wait_for(lambda: desk.hall_board(floor), 20, "the board's heartbeat")
    assert board["name"] == "tv-sanh" and board["status"] == "ok" and board["health"]["version"]
    assert frame["counters"] == list(range(1, COUNTERS + 1)) and frame["columns"] == 4
    desk.configure(floor, board["id"], board_counters=[3, 1], board_columns=2, languages="vi")
    relaid = wait_for(
        lambda: (f := hall.frames()[-1])["counters"] == [3, 1] and f, 20, "the pushed layout"
    )
    assert relaid["columns"] == 2
    assert relaid["languages"] == "vi,en"  # given on the command line
    assert relaid["numbers"] == [numbers[4], ""]
