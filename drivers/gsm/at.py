"""AT commands for SMS in text mode (3GPP TS 27.005), as bytes and parsed replies.

Pure functions, tested on exact bytes; :mod:`drivers.gsm.modem` does the I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drivers.errors import ProtocolError

CR = b"\r"
CTRL_Z = b"\x1a"
ESC = b"\x1b"
PROMPT = b"> "
FINAL_OK = "OK"
FINAL_ERRORS = ("ERROR", "+CMS ERROR", "+CME ERROR")

_CMTI = re.compile(r'^\+CMTI:\s*"(?P<storage>\w+)",\s*(?P<index>\d+)$')
_CMGR = re.compile(
    r'^\+CMGR:\s*"(?P<state>[^"]*)",\s*"(?P<sender>[^"]*)",\s*(?:"[^"]*"|[^,]*),\s*'
    r'"(?P<stamp>[^"]*)"'
)
_CMGL = re.compile(r'^\+CMGL:\s*(?P<index>\d+),\s*"(?P<state>[^"]*)",\s*"(?P<sender>[^"]*)"')
_CMGS = re.compile(r"^\+CMGS:\s*(?P<ref>\d+)$")
_NUMBER = re.compile(r"^\+?\d{3,20}$")


@dataclass(frozen=True)
class Sms:
    """A received message: storage index, sender number, text, modem time stamp."""

    index: int
    sender: str
    text: str
    stamp: str = ""


def command(body: str) -> bytes:
    """``AT<body>`` terminated by CR, e.g. ``command("+CMGF=1") == b"AT+CMGF=1\\r"``."""
    return b"AT" + body.encode("ascii") + CR


def setup_commands() -> list[bytes]:
    """Echo off, text mode, GSM character set, new-message indications as +CMTI."""
    return [
        command("E0"),
        command("+CMGF=1"),
        command('+CSCS="GSM"'),
        command("+CNMI=2,1,0,0,0"),
    ]


def read_message(index: int) -> bytes:
    return command(f"+CMGR={index}")


def delete_message(index: int) -> bytes:
    return command(f"+CMGD={index}")


def list_received(state: str = "REC UNREAD") -> bytes:
    """List the received messages in ``state``: ``REC UNREAD`` or ``REC READ``."""
    if state not in ("REC UNREAD", "REC READ"):
        raise ValueError(f"not a received-message state: {state!r}")
    return command(f'+CMGL="{state}"')


def send_header(number: str) -> bytes:
    if not _NUMBER.match(number):
        raise ValueError("a phone number is digits with an optional leading +")
    return command(f'+CMGS="{number}"')


def send_body(text: str) -> bytes:
    """The message text then Ctrl-Z; GSM-7 text is ASCII except for a few letters."""
    if "\x1a" in text or "\x1b" in text:
        raise ValueError("the text may not hold Ctrl-Z or Esc")
    return text.encode("latin-1", errors="replace") + CTRL_Z


def decode(line: bytes) -> str:
    return line.decode("latin-1").strip()


def new_message_index(line: str) -> int | None:
    """The storage index from a ``+CMTI: "SM",3`` indication, else None."""
    match = _CMTI.match(line)
    return int(match.group("index")) if match else None


def is_final(line: str) -> bool:
    return line == FINAL_OK or line.startswith(FINAL_ERRORS)


def parse_read(index: int, lines: list[str]) -> Sms | None:
    """The message in a ``+CMGR`` answer (header line then text), or None if empty."""
    for position, line in enumerate(lines):
        match = _CMGR.match(line)
        if match:
            text = "\n".join(lines[position + 1 :])
            return Sms(index, match.group("sender"), text, match.group("stamp"))
    if lines:
        raise ProtocolError("the modem's +CMGR answer has no header")
    return None


def parse_list(lines: list[str]) -> list[Sms]:
    """Messages of a ``+CMGL`` answer."""
    messages: list[Sms] = []
    current: tuple[int, str] | None = None
    text: list[str] = []
    for line in [*lines, '+CMGL: 0,"",""']:
        match = _CMGL.match(line)
        if match is None:
            text.append(line)
            continue
        if current is not None:
            messages.append(Sms(current[0], current[1], "\n".join(text)))
        current, text = (int(match.group("index")), match.group("sender")), []
    return [m for m in messages if m.sender]


def parse_send(lines: list[str]) -> int:
    """The message reference of a ``+CMGS`` answer."""
    for line in lines:
        match = _CMGS.match(line)
        if match:
            return int(match.group("ref"))
    raise ProtocolError("the modem did not confirm the message with +CMGS")
