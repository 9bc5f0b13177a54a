"""``motcua-devices keypad-test`` and ``emulate keypad`` on a parser of their own."""

from __future__ import annotations

import argparse
import os
import threading

import pytest

from drivers.keypad import Key, Led, commands
from drivers.keypad.emulator import Feedback, KeypadEmulator

pytestmark = pytest.mark.timeout(30)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua-devices")
    commands.register(parser.add_subparsers(dest="command", required=True))
    return parser


def press_until_acknowledged(emulator: KeypadEmulator, key: Key) -> None:
    """Press until the host answers: presses before it opened the port are lost, as in life."""
    for _ in range(100):
        if emulator.wait_acked(2, emulator.press(key), timeout=0.1):
            return
    raise AssertionError(f"{key.name} was never acknowledged")


def test_keypad_test_prints_each_press_and_beeps_back(capsys: pytest.CaptureFixture[str]) -> None:
    with KeypadEmulator(addresses=(2,)) as emulator:
        args = parser().parse_args(
            ["keypad-test", "--port", emulator.path, "--count", "2", "--seconds", "10"]
        )
        runner = threading.Thread(target=args.func, args=(args,))
        runner.start()
        press_until_acknowledged(emulator, Key.CALL_NEXT)
        press_until_acknowledged(emulator, Key.NOT_SATISFIED)
        runner.join(10)
    out = capsys.readouterr().out
    assert "keypad 2: CALL_NEXT / Gọi số tiếp theo" in out
    assert "keypad 2: NOT_SATISFIED / Không hài lòng" in out
    assert emulator.feedback == [Feedback(2, Led.GREEN, 1)] * 2


def test_keypad_test_stops_after_its_time_with_no_press() -> None:
    with KeypadEmulator() as emulator:
        args = parser().parse_args(["keypad-test", "--port", emulator.path, "--seconds", "0.2"])
        assert args.func(args) == 0


def test_emulate_keypad_presses_keys_typed_on_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each stdin line presses a key; a host on the pty reads the presses."""
    read, write = os.pipe()
    args = parser().parse_args(["emulate", "keypad", "--addresses", "6"])
    with open(read, encoding="utf-8") as stdin:
        monkeypatch.setattr("sys.stdin", stdin)
        runner = threading.Thread(target=args.func, args=(args,))
        runner.start()
        with open(write, "w", encoding="utf-8") as typing:
            typing.write("recall\nbogus\n")
        runner.join(10)
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith("/dev/pts/")
    assert "pressed RECALL on keypad 6 (seq 1)" in out
    assert "unknown key or address: 'bogus'" in err
