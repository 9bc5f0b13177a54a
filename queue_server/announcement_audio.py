"""The spoken announcements of calls, rendered by the server for boards that cannot
speak themselves (the browser hall board), and kept on disk.

The sentence is the Kivy board's (``drivers.audio.spoken_text``, in the reading
and regional words the call's address names) read by the same synthesiser
(espeak-ng, or the centre's clip pack in front of it). A WAV is rendered on the
first request for it, never while a call is being made, and then served from
the cache folder. Renders run one at a time per process (espeak-ng is a CPU-bound
subprocess on a small box) and the folder keeps only the ``max_files`` most recently
used files, so an unusual request pattern costs neither CPU nor disk without bound.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

from drivers.audio.announcement import Lang, Reading, Variant, spoken_text
from drivers.audio.synth import Synth
from drivers.errors import SpeechError
from queue_server.services.announcements import Sentence


class AnnouncementBusy(SpeechError):
    """Another render held the synthesiser for longer than a caller may wait."""

    code = "announcement_busy"
    message_vi = "Máy chủ đang tạo thông báo khác; vui lòng thử lại sau."


class AnnouncementAudio:
    """WAV files of call announcements, rendered once per sentence, reading and voice."""

    def __init__(
        self,
        folder: Path,
        synth: Synth,
        *,
        voice: str,
        max_files: int = 500,
        wait_s: float = 20.0,
    ) -> None:
        self.folder = folder
        self.synth = synth
        self.voice = voice  # names the synthesiser and its settings in the cache key
        self.max_files = max_files
        self.wait_s = wait_s
        self._render = threading.Lock()

    def text(
        self, sentence: Sentence, number: str, counter: int, mode: Reading, variant: Variant
    ) -> str:
        """What is said; ``ValueError`` if ``number`` is not a ticket number."""
        return spoken_text(
            number,
            counter,
            Lang.VI,
            mode,
            variant=variant,
            recall=sentence is Sentence.RECALL,
            returning=sentence is Sentence.RETURN,
        )

    def wav(
        self, sentence: Sentence, number: str, counter: int, mode: Reading, variant: Variant
    ) -> bytes:
        """The WAV of the announcement, from the cache or rendered now."""
        text = self.text(sentence, number, counter, mode, variant)
        named = f"{self.voice}\n{Lang.VI}\n{mode}\n{variant}\n{text}"
        key = hashlib.sha256(named.encode()).hexdigest()
        path = self.folder / f"{key}.wav"
        cached = _read(path)
        if cached is not None:
            return cached
        if not self._render.acquire(timeout=self.wait_s):
            raise AnnouncementBusy(f"no render slot within {self.wait_s} s")
        try:
            cached = _read(path)  # rendered while this request waited
            if cached is not None:
                return cached
            data = self.synth.synthesize(text, Lang.VI)
            self._store(path, data)
        finally:
            self._render.release()
        return data

    def _store(self, path: Path, data: bytes) -> None:
        """Write atomically (other server processes share the folder), then prune."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".part", delete=False) as out:
            out.write(data)
        Path(out.name).replace(path)
        files = sorted(self.folder.glob("*.wav"), key=_used_at, reverse=True)
        for stale in files[self.max_files :]:
            stale.unlink(missing_ok=True)


def _read(path: Path) -> bytes | None:
    """The cached file, marked as just used; None if absent (or pruned meanwhile)."""
    try:
        data = path.read_bytes()
        os.utime(path)
    except FileNotFoundError:
        return None
    return data


def _used_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
