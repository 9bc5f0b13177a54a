"""``motcua-devices`` LED commands on a parser of their own, against the pty emulator."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from drivers.led import commands
from drivers.led.emulator import LedEmulator
from drivers.led.protocol import BoardState, show_number, show_text

pytestmark = pytest.mark.timeout(30)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua-devices")
    commands.register(parser.add_subparsers(dest="command", required=True))
    return parser


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


def test_board_test_walks_the_board_through_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LedEmulator(addresses=(4,), link=tmp_path / "ttyLED") as emulator:
        assert run(["board-test", "--port", emulator.path, "--address", "4"]) == 0
    assert show_number(4, "A023") in emulator.received
    assert show_text(4, "Thử bảng") in emulator.received
    assert emulator.boards[4] == BoardState()  # blanked, steady, full brightness at the end
    assert "board 4: blank ok" in capsys.readouterr().out


def test_board_test_says_when_the_board_does_not_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LedEmulator(addresses=(4,)) as emulator:
        argv = ["board-test", "--port", emulator.path, "--address", "7", "--timeout", "0.1"]
        assert run(argv) == 1
    assert "không trả lời" in capsys.readouterr().out


def test_list_ports_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["list-ports"]) == 0
    assert capsys.readouterr().out.strip()


def test_emulate_board_takes_addresses_and_a_link() -> None:
    args = parser().parse_args(["emulate", "board", "--pty", "--addresses", "1,5", "--link", "x"])
    assert (args.device, args.addresses, args.link) == ("board", [1, 5], "x")
    with pytest.raises(SystemExit):
        parser().parse_args(["emulate", "board", "--addresses", "0,300"])
