"""The announcement queue: one worker, in order, never two at once, stale ones dropped.

Callers (the hall board, the LED bridge) only enqueue, which never blocks; the
worker thread synthesises and plays one utterance after the other. An utterance
that waited longer than ``max_age`` seconds (the hall moved on: a burst of calls
after a network gap) is dropped rather than read out late.

Sinks: :class:`CommandSink` plays through ``paplay`` or ``aplay``;
:class:`WavDirSink` writes ``0001.wav, 0002.wav ...`` and a ``timeline.jsonl``
with the start and end of each item, for tests and for a board without speakers.
"""

from __future__ import annotations

import json
import logging
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self

from drivers.audio.synth import Synth, wav_duration
from drivers.errors import SpeechError

logger = logging.getLogger(__name__)

PLAYERS = ("paplay", "aplay")


@dataclass(frozen=True)
class Utterance:
    """Text to read out; ``created`` is on the queue's clock (monotonic seconds)."""

    text: str
    lang: str = "vi"
    created: float = field(default_factory=time.monotonic)
    label: str = ""


class Sink(Protocol):
    def play(self, wav: bytes, utterance: Utterance) -> None:
        """Play ``wav``, returning when it has finished sounding."""
        ...


class CommandSink:
    """Plays through a sound-server or ALSA command-line player."""

    def __init__(self, command: str | None = None, *, margin: float = 5.0) -> None:
        found = (
            shutil.which(command)
            if command
            else next((path for name in PLAYERS if (path := shutil.which(name))), None)
        )
        if found is None:
            raise SpeechError(
                f"no sound player found ({command or ' or '.join(PLAYERS)}); "
                "install pulseaudio-utils or alsa-utils, or write WAV files instead"
            )
        self.command = found
        self.margin = margin

    def play(self, wav: bytes, utterance: Utterance) -> None:
        try:
            subprocess.run(
                [self.command],
                input=wav,
                capture_output=True,
                timeout=wav_duration(wav) + self.margin,
                check=True,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise SpeechError(f"{self.command} could not play {utterance.label!r}: {exc}") from exc


class WavDirSink:
    """Writes each utterance to ``folder`` and logs when it sounded to ``timeline.jsonl``.

    With ``realtime`` (the default) it takes as long as the audio lasts, like a
    loudspeaker, so the queue's timing is the one of the hall; without, it returns
    at once and logs the times a loudspeaker would have played each item.
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        realtime: bool = True,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.folder = Path(folder)
        self.realtime = realtime
        self.clock = clock
        self.sleep = sleep
        self._count = 0
        self._playhead = 0.0

    @property
    def timeline_path(self) -> Path:
        return self.folder / "timeline.jsonl"

    def play(self, wav: bytes, utterance: Utterance) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._count += 1
        name = f"{self._count:04d}.wav"
        (self.folder / name).write_bytes(wav)
        duration = wav_duration(wav)
        if self.realtime:
            start = self.clock()
            self.sleep(duration)
            end = self.clock()
        else:  # a virtual playhead: when a loudspeaker would have played it
            start = max(self.clock(), self._playhead)
            end = start + duration
        self._playhead = end
        entry = {
            "seq": self._count,
            "file": name,
            "label": utterance.label,
            "text": utterance.text,
            "lang": utterance.lang,
            "duration": round(duration, 4),
            "start": start,
            "end": end,
        }
        with self.timeline_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")


def read_timeline(path: str | Path) -> list[dict[str, object]]:
    """The entries a :class:`WavDirSink` logged, in order."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


class PlaybackQueue:
    """Orders, synthesises and plays utterances on a single worker thread."""

    def __init__(
        self,
        synth: Synth,
        sink: Sink,
        *,
        max_age: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.synth = synth
        self.sink = sink
        self.max_age = max_age
        self.clock = clock
        self.played = 0
        self.dropped = 0
        self.failed = 0
        #: Whether the last announcement failed: the hall is silent now, not "once was".
        self.failing = False
        self._queue: queue.SimpleQueue[Utterance | None] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="announcements", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Finish what is queued (bounded by ``timeout``), then stop the worker."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def put(self, utterance: Utterance) -> None:
        """Queue ``utterance``; returns at once."""
        with self._idle:
            self._pending += 1
        self._queue.put(utterance)

    def say(self, text: str, lang: str = "vi", label: str = "") -> Utterance:
        utterance = Utterance(text, lang, self.clock(), label)
        self.put(utterance)
        return utterance

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything queued has been played or dropped (bounded)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _work(self) -> None:
        while (utterance := self._queue.get()) is not None:
            try:
                self._play(utterance)
                self.failing = False
            except Exception:  # the announcer must outlive one bad item
                self.failed += 1
                self.failing = True
                logger.exception("announcement %r failed", utterance.label or utterance.text)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _play(self, utterance: Utterance) -> None:
        age = self.clock() - utterance.created
        if age > self.max_age:
            self.dropped += 1
            logger.warning("dropped stale announcement %r (%.1f s old)", utterance.text, age)
            return
        self.sink.play(self.synth.synthesize(utterance.text, utterance.lang), utterance)
        self.played += 1
