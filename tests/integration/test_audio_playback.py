"""Synthesis (clip pack, espeak-ng) and the playback queue, checked on the WAV files produced.

The test clip pack gives every word its own constant sample value, so a WAV can be
read back into the words it says.
"""

from __future__ import annotations

import io
import itertools
import stat
import threading
import wave
from array import array
from pathlib import Path

import pytest

from drivers.audio import Announcer, PlaybackQueue, Utterance, WavDirSink
from drivers.audio.player import CommandSink, read_timeline
from drivers.audio.synth import ClipPackSynth, EspeakSynth, wav_duration
from drivers.errors import SpeechError

pytestmark = pytest.mark.timeout(60)

RATE = 8000
CLIP_FRAMES = 80  # 10 ms
PAUSE = 0.005
PHRASES = [
    "mời công dân có số", "đến quầy số", "nhắc lại", "mời", "a", "bê", "không", "một",
    "hai", "ba", "bốn", "năm", "trăm", "linh", "mười", "mươi",
]  # fmt: skip


def write_wav(path: Path, samples: array, rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())


@pytest.fixture
def clip_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "clips" / "vi"
    folder.mkdir(parents=True)
    for index, phrase in enumerate(PHRASES):
        write_wav(folder / f"{phrase}.wav", array("h", [1000 + 100 * index] * CLIP_FRAMES))
    return tmp_path / "clips"


def words_in(wav_bytes: bytes) -> list[str]:
    """Read a clip-pack WAV back into its phrases; ``,`` marks a pause."""
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        samples = array("h", wav.readframes(wav.getnframes()))
    words = []
    for value, run in itertools.groupby(samples):
        count = len(list(run))
        if value == 0:
            words.append(",")
        else:
            words += [PHRASES[(value - 1000) // 100]] * (count // CLIP_FRAMES)
    return words


def test_clip_pack_reads_an_announcement_phrase_by_phrase(clip_pack: Path) -> None:
    synth = ClipPackSynth(clip_pack, pause=PAUSE)
    wav = synth.synthesize("Mời công dân có số A, không, hai, ba, đến quầy số năm")
    assert words_in(wav) == [
        "mời công dân có số", "a", ",", "không", ",", "hai", ",", "ba", ",", "đến quầy số", "năm",
    ]  # fmt: skip
    assert wav_duration(wav) == pytest.approx(7 * CLIP_FRAMES / RATE + 4 * PAUSE)


def test_a_word_missing_from_the_pack_goes_to_the_fallback(clip_pack: Path) -> None:
    calls: list[tuple[str, str]] = []

    class Fallback:
        def synthesize(self, text: str, lang: str = "vi") -> bytes:
            calls.append((text, lang))
            return b"fallback"

    text = "Mời công dân có số Xê, sáu, đến quầy số hai"
    assert ClipPackSynth(clip_pack, fallback=Fallback()).synthesize(text) == b"fallback"
    assert calls == [(text, "vi")]
    with pytest.raises(SpeechError, match="xê"):
        ClipPackSynth(clip_pack).synthesize(text)
    with pytest.raises(SpeechError):
        ClipPackSynth(clip_pack).synthesize("Ticket A", "en")  # no English clips at all


def test_clips_of_different_formats_are_refused(clip_pack: Path) -> None:
    write_wav(clip_pack / "vi" / "hai.wav", array("h", [7] * 160), rate=16000)
    with pytest.raises(SpeechError, match="format"):
        ClipPackSynth(clip_pack).synthesize("một hai")


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Mời công dân có số A, không, hai, ba, đến quầy số năm", "vi"), ("Ticket A023", "en")],
)
def test_espeak_synthesises_a_wav(text: str, lang: str) -> None:
    wav = EspeakSynth().synthesize(text, lang)
    with wave.open(io.BytesIO(wav)) as parsed:
        assert parsed.getnchannels() == 1
        frames = array("h", parsed.readframes(parsed.getnframes()))
    assert 0.5 < wav_duration(wav) < 15
    assert max(frames) > 1000  # it speaks, it is not silence


def test_missing_espeak_is_a_speech_error() -> None:
    with pytest.raises(SpeechError, match="not installed"):
        EspeakSynth("espeak-ng-that-is-not-here").synthesize("một")


def test_two_announcements_back_to_back_play_in_order_without_overlap(
    clip_pack: Path, tmp_path: Path
) -> None:
    out = tmp_path / "played"
    with PlaybackQueue(ClipPackSynth(clip_pack, pause=PAUSE), WavDirSink(out)) as queue:
        announcer = Announcer(queue)
        announcer.announce("A023", 5)
        announcer.announce("B105", 3, mode="number", recall=True)
        assert queue.wait_idle(10)

    first, second = read_timeline(out / "timeline.jsonl")
    assert (first["label"], second["label"]) == ("A023", "B105")
    assert first["start"] < first["end"] <= second["start"] < second["end"]
    assert words_in((out / str(second["file"])).read_bytes()) == [
        "nhắc lại", ",", "mời công dân có số", "bê", ",", "một", "trăm", "linh", "năm", ",",
        "đến quầy số", "ba",
    ]  # fmt: skip


def test_stale_announcements_are_dropped(clip_pack: Path, tmp_path: Path) -> None:
    """GIVEN a call that waited 40 s (the board was cut off) and a fresh one
    THEN only the fresh one is played."""
    now = [1000.0]
    out = tmp_path / "played"
    synth = ClipPackSynth(clip_pack, pause=PAUSE)
    with PlaybackQueue(synth, WavDirSink(out), max_age=30, clock=lambda: now[0]) as queue:
        queue.put(Utterance("mời a một", created=960.0, label="A001"))
        queue.put(Utterance("mời a hai", created=995.0, label="A002"))
        assert queue.wait_idle(10)
    assert [entry["label"] for entry in read_timeline(out / "timeline.jsonl")] == ["A002"]
    assert (queue.played, queue.dropped) == (1, 1)


def test_announcing_never_waits_for_synthesis_or_playback(tmp_path: Path) -> None:
    release = threading.Event()

    class SlowSynth:
        def synthesize(self, text: str, lang: str = "vi") -> bytes:
            release.wait(10)
            raise SpeechError("done waiting")

    with PlaybackQueue(SlowSynth(), WavDirSink(tmp_path)) as queue:
        utterances = Announcer(queue, also_english=True).announce("A023", 5)
        assert [u.lang for u in utterances] == ["vi", "en"]
        assert queue.played == 0
        release.set()
        assert queue.wait_idle(10)
    assert queue.failed == 2


def test_one_failing_item_does_not_stop_the_queue(clip_pack: Path, tmp_path: Path) -> None:
    out = tmp_path / "played"
    with PlaybackQueue(ClipPackSynth(clip_pack, pause=PAUSE), WavDirSink(out)) as queue:
        queue.say("từ lạ", label="bad")
        assert queue.wait_idle(10)
        assert queue.failing  # the hall board reports its audio as failing
        queue.say("mời a một", label="good")
        assert queue.wait_idle(10)
        assert not queue.failing  # and healthy again once a call is heard
    assert [e["label"] for e in read_timeline(out / "timeline.jsonl")] == ["good"]
    assert (queue.failed, queue.played) == (1, 1)


def test_command_sink_pipes_the_wav_to_the_player(clip_pack: Path, tmp_path: Path) -> None:
    received = tmp_path / "received.wav"
    player = tmp_path / "fake-aplay"
    player.write_text(f"#!/bin/sh\ncat > {received}\n")
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    wav = ClipPackSynth(clip_pack).synthesize("mời a")
    CommandSink(str(player)).play(wav, Utterance("mời a"))
    assert received.read_bytes() == wav


def test_no_sound_player_is_a_speech_error() -> None:
    with pytest.raises(SpeechError, match="no sound player"):
        CommandSink("no-such-player-here")
