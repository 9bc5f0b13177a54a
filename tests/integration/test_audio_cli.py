"""``motcua-devices say`` on a parser of its own, writing WAV files with espeak-ng."""

from __future__ import annotations

import argparse
import wave
from pathlib import Path

import pytest

from drivers.audio import commands
from drivers.errors import SpeechError

pytestmark = pytest.mark.timeout(60)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="motcua-devices")
    commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_say_a_ticket_call_into_a_wav(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "call.wav"
    assert run(["say", "--ticket", "A023", "--counter", "5", "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"{out}: Mời công dân có số A, không, hai, ba, đến quầy số năm\n"
    )
    with wave.open(str(out)) as wav:
        assert wav.getnframes() / wav.getframerate() > 1.0


def test_say_english_text_by_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "call.wav"
    argv = ["say", "--ticket", "B105", "--counter", "12", "--lang", "en", "--mode", "number"]
    assert run([*argv, "--out", str(out)]) == 0
    assert "Ticket B, one hundred five, please go to counter twelve" in capsys.readouterr().out
    assert out.read_bytes()[:4] == b"RIFF"


def test_say_free_text(tmp_path: Path) -> None:
    out = tmp_path / "hello.wav"
    assert run(["say", "Xin chào quý khách", "--out", str(out)]) == 0
    assert out.read_bytes()[8:12] == b"WAVE"


def test_say_without_a_sound_player_explains_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drivers.audio.player.PLAYERS", ("no-such-player",))
    with pytest.raises(SpeechError, match="no sound player"):
        run(["say", "một hai ba"])


def test_say_needs_something_to_say() -> None:
    with pytest.raises(SystemExit):
        run(["say"])
