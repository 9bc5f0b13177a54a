"""One order for every device setting — command line, environment, pairing file,
pushed configuration, default — and each value knows where it came from."""

from __future__ import annotations

import json
from pathlib import Path

from device_kit.contract.device_wire import DeviceConfig
from device_kit.settings import Layers, Resolved, Setting, Source, pushed_over

PRINTER = Setting(
    "tcp://127.0.0.1:9100", flag="printer", env="MOTCUA_PRINTER_URL", pairing="printer_url",
    pushed="printer_url", parse=str,
)
PAPER = Setting(80, flag="paper", env="MOTCUA_PRINTER_PAPER", pushed="paper", parse=int)


def test_each_place_wins_over_the_ones_after_it() -> None:
    everywhere = Layers(
        flags={"printer": "tcp://flag:9100"},
        env={"MOTCUA_PRINTER_URL": "tcp://env:9100"},
        pairing={"printer_url": "tcp://paired:9100"},
        pushed={"printer_url": "tcp://pushed:9100"},
    )
    assert everywhere.resolve(PRINTER) == Resolved("tcp://flag:9100", Source.FLAG)
    places = ["flags", "env", "pairing", "pushed"]
    expected = [
        ("tcp://env:9100", Source.ENVIRONMENT),
        ("tcp://paired:9100", Source.PAIRING),
        ("tcp://pushed:9100", Source.PUSHED),
        ("tcp://127.0.0.1:9100", Source.DEFAULT),
    ]
    for dropped, (value, source) in enumerate(expected, start=1):
        fewer = Layers(**{p: getattr(everywhere, p) if i >= dropped else {} for i, p in
                          enumerate(places)})
        assert fewer.resolve(PRINTER) == Resolved(value, source)


def test_an_empty_value_leaves_the_choice_to_the_next_place() -> None:
    layers = Layers(flags={"paper": None}, env={"MOTCUA_PRINTER_PAPER": ""}, pushed={"paper": 58})
    assert layers.resolve(PAPER) == Resolved(58, Source.PUSHED)
    assert Layers(env={"MOTCUA_PRINTER_PAPER": "58"}).resolve(PAPER).value == 58  # parsed


def test_a_pushed_value_never_overrides_one_set_on_the_box() -> None:
    pushed = DeviceConfig(printer_url="tcp://10.0.0.31:9100")
    for local in (Source.FLAG, Source.ENVIRONMENT, Source.PAIRING):
        mine = Resolved("tcp://mine:9100", local)
        assert pushed_over(mine, PRINTER, pushed) == mine
    default = Resolved("tcp://127.0.0.1:9100")
    assert pushed_over(default, PRINTER, pushed) == Resolved("tcp://10.0.0.31:9100", Source.PUSHED)
    assert pushed_over(default, PRINTER, DeviceConfig()) == default


def test_settings_that_go_together_come_from_one_place() -> None:
    other = Setting[str | None](None, flag="other", env="MOTCUA_OTHER", pairing="other")
    layers = Layers(env={"MOTCUA_OTHER": "x"}, pairing={"printer_url": "tcp://p:1", "other": "y"})
    assert layers.first_place(PRINTER, other) == Source.ENVIRONMENT
    only = layers.only(Source.ENVIRONMENT)
    assert only.resolve(PRINTER).source == Source.DEFAULT  # never mixed with the pairing file
    assert Layers().first_place(PRINTER, other) == Source.DEFAULT


def test_the_pairing_file_is_read_when_there_is_one(tmp_path: Path) -> None:
    stored = tmp_path / "pairing.json"
    assert Layers.read(None, {}, stored).pairing == {}
    stored.write_text(json.dumps({"printer_url": "tcp://paired:9100"}))
    assert Layers.read(None, {}, stored).resolve(PRINTER).source == Source.PAIRING
