"""Reading a text/event-stream in tests, from the Flask test client or ``requests``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    id: int | None
    kind: str
    data: dict[str, Any]
    comment: bool


def messages(chunks: Iterable[bytes | str]) -> Iterator[Message]:
    """Messages in arrival order; a block of only comments is a heartbeat with kind ''."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            event_id, kind, data, comment = None, "", [], False
            for line in block.split("\n"):
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "":
                    comment = True
                elif name == "id":
                    event_id = int(value)
                elif name == "event":
                    kind = value
                elif name == "data":
                    data.append(value)
            yield Message(event_id, kind, json.loads("\n".join(data)) if data else {}, comment)


def take_events(stream: Iterator[Message], count: int, limit: int = 10_000) -> list[Message]:
    """The next ``count`` messages that carry an id, skipping heartbeats (bounded)."""
    found: list[Message] = []
    for _, message in zip(range(limit), stream, strict=False):
        if message.id is not None:
            found.append(message)
            if len(found) == count:
                break
    return found
