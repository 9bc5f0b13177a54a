"""Spoken announcements: Vietnamese text rules, synthesis, and a playback queue.

Public interface (kept small and stable for the hall board)::

    from drivers.audio import Announcer, PlaybackQueue, WavDirSink, CommandSink
    from drivers.audio import announcement_text, build_synth

    announcement_text("A023", 5)        # 'Mời công dân có số A023 đến quầy số 5'
    queue = PlaybackQueue(build_synth(clip_dir=None), CommandSink(), max_age=30).start()
    Announcer(queue).announce("A023", 5, lang="vi", mode="digits")   # returns at once
    queue.stop()

``mode`` is ``digits`` ("A, không, hai, ba") or ``number`` ("A, hai mươi ba");
``lang`` is ``vi`` or ``en``; ``variant`` (``north``/``south``) picks
"linh"/"lẻ" and "nghìn"/"ngàn". ``build_synth(dir)`` uses a recorded clip pack in
``dir`` (see ``drivers.audio.synth``), espeak-ng otherwise. Use
``WavDirSink(folder)`` where there is no sound device: it writes WAV files and a
``timeline.jsonl``.
"""

from drivers.audio.announcement import (
    Lang,
    Reading,
    Variant,
    announcement_text,
    read_number_vi,
    spoken_text,
)
from drivers.audio.announcer import Announcer
from drivers.audio.player import CommandSink, PlaybackQueue, Utterance, WavDirSink
from drivers.audio.synth import build_synth

__all__ = [
    "Announcer",
    "CommandSink",
    "Lang",
    "PlaybackQueue",
    "Reading",
    "Utterance",
    "Variant",
    "WavDirSink",
    "announcement_text",
    "build_synth",
    "read_number_vi",
    "spoken_text",
]
