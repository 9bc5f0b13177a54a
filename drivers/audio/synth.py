"""Text to WAV: espeak-ng offline, or a recorded clip pack when a centre has one.

A clip pack is a folder with one sub-folder per language holding one WAV per word
or phrase, named by what it says (NFC, lower case)::

    clips/vi/mời công dân có số.wav   clips/vi/a.wav    clips/vi/không.wav
    clips/vi/đến quầy số.wav          clips/vi/bê.wav   clips/vi/mươi.wav ...

All clips of a pack share one format (rate, channels, sample width). Text is
matched to clips longest phrase first; a comma or full stop becomes a short
silence. A word the pack lacks goes to the fallback synthesiser (espeak-ng) for
the whole sentence, so an incomplete pack never makes an announcement silent.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
import wave
from pathlib import Path
from typing import Protocol

from drivers.errors import SpeechError

ESPEAK_VOICES = {"vi": "vi", "en": "en"}
PAUSES = ",.;:!?"
TOKEN_PATTERN = re.compile(rf"[^\s{PAUSES}]+|[{PAUSES}]")


class Synth(Protocol):
    def synthesize(self, text: str, lang: str = "vi") -> bytes:
        """The WAV file (bytes) of ``text`` read in ``lang``."""
        ...


def wav_duration(data: bytes) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getnframes() / wav.getframerate()


class EspeakSynth:
    """espeak-ng through a subprocess, bounded by ``timeout`` seconds per call."""

    def __init__(
        self, executable: str = "espeak-ng", *, speed: int = 140, timeout: float = 10.0
    ) -> None:
        self.executable = executable
        self.speed = speed
        self.timeout = timeout

    def synthesize(self, text: str, lang: str = "vi") -> bytes:
        exe = shutil.which(self.executable)
        if exe is None:
            raise SpeechError(f"{self.executable} is not installed (apt-get install espeak-ng)")
        voice = ESPEAK_VOICES.get(lang, lang)
        with tempfile.TemporaryDirectory(prefix="motcua-say-") as tmp:
            out = Path(tmp) / "say.wav"
            command = [exe, "-v", voice, "-s", str(self.speed), "-w", str(out)]
            try:
                subprocess.run(
                    command,
                    input=unicodedata.normalize("NFC", text).encode("utf-8"),
                    capture_output=True,
                    timeout=self.timeout,
                    check=True,
                )
            except subprocess.TimeoutExpired as exc:
                raise SpeechError(f"espeak-ng took more than {self.timeout} s") from exc
            except subprocess.CalledProcessError as exc:
                raise SpeechError(
                    f"espeak-ng failed: {exc.stderr.decode(errors='replace')}"
                ) from exc
            return out.read_bytes()


class ClipPackSynth:
    """Concatenates recorded clips; hands sentences it cannot cover to ``fallback``."""

    def __init__(self, folder: str | Path, *, fallback: Synth | None = None, pause: float = 0.2):
        self.folder = Path(folder)
        self.fallback = fallback
        self.pause = pause

    def synthesize(self, text: str, lang: str = "vi") -> bytes:
        clips = self._index(lang)
        try:
            parts = self._plan(text, clips)
        except SpeechError:
            if self.fallback is None:
                raise
            return self.fallback.synthesize(text, lang)
        return self._concatenate(parts)

    def _index(self, lang: str) -> dict[tuple[str, ...], Path]:
        folder = self.folder / lang
        if not folder.is_dir():
            return {}
        return {_words(path.stem): path for path in folder.glob("*.wav")}

    @staticmethod
    def _plan(text: str, clips: dict[tuple[str, ...], Path]) -> list[Path | None]:
        """The clips to play in order; ``None`` is a pause."""
        tokens = _words(text)
        longest = max((len(key) for key in clips), default=0)
        plan: list[Path | None] = []
        i = 0
        while i < len(tokens):
            if tokens[i] in PAUSES:
                plan.append(None)
                i += 1
                continue
            for size in range(min(longest, len(tokens) - i), 0, -1):
                clip = clips.get(tuple(tokens[i : i + size]))
                if clip is not None:
                    plan.append(clip)
                    i += size
                    break
            else:
                raise SpeechError(f"the clip pack has no clip for {tokens[i]!r}")
        return plan

    def _concatenate(self, parts: list[Path | None]) -> bytes:
        params = None
        frames: list[bytes | None] = []
        for part in parts:
            if part is None:
                frames.append(None)
                continue
            with wave.open(str(part)) as wav:
                if params is None:
                    params = wav.getparams()
                elif wav.getparams()[:3] != params[:3]:
                    raise SpeechError(f"{part.name} differs in format from the rest of the pack")
                frames.append(wav.readframes(wav.getnframes()))
        if params is None:
            raise SpeechError("nothing to say")
        silence = bytes(round(self.pause * params.framerate) * params.nchannels * params.sampwidth)
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(params.nchannels)
            wav.setsampwidth(params.sampwidth)
            wav.setframerate(params.framerate)
            wav.writeframes(b"".join(silence if f is None else f for f in frames))
        return out.getvalue()


def _words(text: str) -> tuple[str, ...]:
    return tuple(TOKEN_PATTERN.findall(unicodedata.normalize("NFC", text).lower()))


def build_synth(clip_dir: str | Path | None = None) -> Synth:
    """The clip pack at ``clip_dir`` backed by espeak-ng, or espeak-ng alone."""
    if clip_dir is None:
        return EspeakSynth()
    return ClipPackSynth(clip_dir, fallback=EspeakSynth())
