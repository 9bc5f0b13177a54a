"""The dossier code inside whatever a receipt's QR code (or a person) gives us.

Seen on receipts: the bare code; a URL with the code in a query parameter
(``?MHS=…``, ``?maHoSo=…``, ``?code=…``, any parameter whose value is a code) or
in its path; JSON with an id and a secret. Some payloads also carry the
citizen's ID number (CCCD, 12 digits; old CMND, 9 digits): it is never returned,
never put in an error, and :func:`redact` hides it before anything is logged.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from device_kit.contract.dossier_codes import DossierCode, find_codes
from device_kit.contract.errors import EmptyDossierCode, InvalidDossierCode, NoCodeInPayload

# Parameter and JSON key names, compared lower-case without punctuation.
CODE_KEYS = frozenset(
    {"mhs", "mahoso", "mahs", "sohoso", "hoso", "code", "dossiercode", "dossier", "id", "ma"}
)
SECRET_KEYS = frozenset({"secret", "key", "token", "pin", "otp", "matkhau", "mk", "password"})
REDACTED = "<redacted>"
# 9 digits and more (CMND 9, phone 10-11, CCCD 12), possibly written in groups with
# single spaces; any script's digits, as scanners may send full-width ones.
_ID_LIKE = re.compile(r"(?<!\d)\d(?: ?\d){8,}(?!\d)")
_JSON_MAX_VALUES = 200
# The largest QR code holds about 4,300 characters; anything longer is not a receipt.
PAYLOAD_MAX_LEN = 4400


@dataclass(frozen=True)
class Payload:
    """What a payload yields: the code and, when the QR carries one, its secret.

    The secret is kept out of ``repr`` so it cannot reach a log by accident.
    """

    code: DossierCode
    secret: str | None = field(default=None, repr=False)


def redact(text: str) -> str:
    """``text`` with every ID-like digit run replaced, fit for a log line."""
    return _ID_LIKE.sub(REDACTED, text)


def extract(payload: str) -> Payload:
    """Read a scanned or typed payload; raise :class:`InvalidDossierCode` if no code."""
    text = payload.strip()
    if len(text) > PAYLOAD_MAX_LEN:
        raise NoCodeInPayload()
    try:
        return Payload(DossierCode.parse(text))
    except EmptyDossierCode:
        raise
    except InvalidDossierCode as refusal:
        bare_refusal = refusal
    found = _from_structured(text)
    if found is not None:
        return found
    code = next(find_codes(text), None)
    if code is not None:
        return Payload(code)
    # A lone code-shaped input keeps its precise reason (bad date, bad agency).
    raise bare_refusal if _looks_bare(text) else NoCodeInPayload()


def extract_code(payload: str) -> DossierCode:
    """The code only (see :func:`extract`)."""
    return extract(payload).code


def _looks_bare(text: str) -> bool:
    return not any(ch in text for ch in "{}[]?=&/:|;,")


def _from_structured(text: str) -> Payload | None:
    if text[:1] in "{[":
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return _first(_json_pairs(document))
    if "://" in text or text.lower().startswith("www.") or "?" in text:
        return _from_url(text)
    return None


def _from_url(text: str) -> Payload | None:
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
    except ValueError:  # e.g. an unbalanced "[" read as a broken IPv6 host
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if "=" in parts.fragment:
        pairs += parse_qsl(parts.fragment, keep_blank_values=True)
    path = [("", unquote(segment)) for segment in reversed(parts.path.split("/")) if segment]
    return _first([*pairs, *path, ("", unquote(parts.fragment))])


def _first(pairs: Iterable[tuple[str, str]]) -> Payload | None:
    """The first code among key/value pairs, values under a code-like key first."""
    pairs = list(pairs)
    secret = next((v for k, v in pairs if _key(k) in SECRET_KEYS and v), None)
    preferred = [v for k, v in pairs if _key(k) in CODE_KEYS]
    for value in [*preferred, *(v for k, v in pairs if _key(k) not in CODE_KEYS)]:
        code = _code_in_value(value)
        if code is not None:
            return Payload(code, secret)
    return None


def _code_in_value(value: str) -> DossierCode | None:
    try:
        return DossierCode.parse(value)
    except InvalidDossierCode:
        return next(find_codes(value), None)


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _json_pairs(document: object) -> Iterator[tuple[str, str]]:
    """Scalar (key, value) pairs of a JSON document, breadth first, bounded."""
    queue: deque[tuple[str, object]] = deque([("", document)])
    emitted = 0
    while queue and emitted < _JSON_MAX_VALUES:
        key, node = queue.popleft()
        if isinstance(node, dict):
            queue.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            queue.extend((key, item) for item in node)
        elif isinstance(node, str | int) and not isinstance(node, bool):
            emitted += 1
            yield key, str(node)
