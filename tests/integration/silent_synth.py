"""A synthesiser for tests that need an announcement's words, not its sound."""

from __future__ import annotations

import io
import wave


class SilentSynth:
    """A tenth of a second of silence per sentence; remembers what it was asked to say."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesize(self, text: str, lang: str = "vi") -> bytes:
        self.texts.append(text)
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(8000)
            wav.writeframes(b"\0\0" * 800)
        return out.getvalue()
