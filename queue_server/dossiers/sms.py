"""SMS lookup, the pure part: read "HS <code>" messages, write the replies.

Incoming: ``HS <code>`` and the variants people send (``hs 000.00…``, ``TC
<code>``, ``HS<code>``, ``Tra cuu <code>``, a bare code). Replies are written in
Vietnamese; when the reply must fit one SMS they lose their diacritics, because
one GSM-7 message holds 160 characters but one with Vietnamese marks (UCS-2)
only 70.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from device_kit.contract.dossier_codes import DossierCode, find_codes
from device_kit.contract.errors import InvalidDossierCode
from device_kit.contract.site_zone import DEFAULT_ZONE
from queue_server.dossiers.status import DossierStatus
from queue_server.text import strip_accents

GSM7_LIMIT = 160
UCS2_LIMIT = 70
EXAMPLE_CODE = "000.00.06.H56-231027-0361"
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
_GSM7_LOOKALIKES = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})
_KEYWORD = re.compile(r"^\s*(?:TRA\s*CUU|MA\s*HS|MHS|HS|TC)(?![A-Z])[\s:#.=-]*", re.IGNORECASE)
_ELLIPSIS = "..."

# Short words for an SMS, keyed by status; Vietnamese with marks, stripped when needed.
SMS_HINTS: dict[DossierStatus, str] = {
    DossierStatus.NEW: "Hồ sơ chờ cán bộ tiếp nhận.",
    DossierStatus.SUPPLEMENT_REQUESTED: "Vui lòng bổ sung giấy tờ theo thông báo.",
    DossierStatus.PAYMENT_REQUESTED: "Vui lòng nộp phí, lệ phí theo thông báo.",
    DossierStatus.STOPPED: "Vui lòng liên hệ Bộ phận Một cửa.",
    DossierStatus.DONE: "Mời ông/bà mang giấy hẹn đến nhận kết quả.",
}


def parse_sms(text: str) -> DossierCode:
    """The dossier code an incoming SMS asks about, or :class:`InvalidDossierCode`."""
    bare = strip_accents(text)
    keyword = _KEYWORD.match(bare)
    rest = bare[keyword.end() :] if keyword else bare
    try:
        return DossierCode.parse(rest)
    except InvalidDossierCode as refusal:
        found = next(find_codes(rest), None)
        if found is None:
            raise refusal from None
        return found


def gsm7_length(text: str) -> int | None:
    """Septets ``text`` takes in GSM-7 (extension characters count two), or None."""
    if not set(text) <= _GSM7_BASIC | _GSM7_EXTENDED:
        return None
    return _septets(text)


def _septets(gsm7_text: str) -> int:
    """Septets of text known to be GSM-7 (``to_gsm7`` made it so)."""
    return len(gsm7_text) + sum(ch in _GSM7_EXTENDED for ch in gsm7_text)


def fits_one_sms(text: str) -> bool:
    septets = gsm7_length(text)
    return septets <= GSM7_LIMIT if septets is not None else len(text) <= UCS2_LIMIT


def to_gsm7(text: str) -> str:
    """Vietnamese text without marks, in characters GSM-7 can carry (others become ?)."""
    bare = strip_accents(text).translate(_GSM7_LOOKALIKES)
    return "".join(ch if ch in _GSM7_BASIC or ch in _GSM7_EXTENDED else "?" for ch in bare)


def status_reply(
    code: DossierCode,
    status: DossierStatus,
    due: datetime | None = None,
    collect_at: str | None = None,
    single_sms: bool = True,
) -> str:
    """The answer to a lookup: status, due date while open, hint, where to collect.

    With ``single_sms`` the text is GSM-7 and cut to 160 characters, the place
    shortened first; otherwise it keeps its marks and may span several messages.
    """
    parts = [f"HS {code}: {status.label_vi}."]
    if due is not None and not status.is_finished and not status.is_closed:
        parts.append(f"Hẹn trả: {due.astimezone(ZoneInfo(DEFAULT_ZONE)):%d/%m/%Y %H:%M}.")
    if status in SMS_HINTS:
        parts.append(SMS_HINTS[status])
    if collect_at and not status.is_closed:
        parts.append(f"Nơi nhận KQ: {collect_at}")
    return _fit(parts) if single_sms else " ".join(parts)


def malformed_reply(single_sms: bool = True) -> str:
    """Reply to a message that holds no dossier code."""
    return _text(
        "Tin nhắn chưa đúng cú pháp. Soạn: HS <mã hồ sơ>, ví dụ HS "
        f"{EXAMPLE_CODE}. Mã hồ sơ in trên giấy tiếp nhận.",
        single_sms,
    )


def unknown_reply(code: DossierCode, hotline: str | None = None, single_sms: bool = True) -> str:
    """Reply for a well-formed code the mirror does not hold."""
    contact = f"gọi {hotline}" if hotline else "liên hệ Bộ phận Một cửa"
    return _text(
        f"Không tìm thấy hồ sơ {code}. Vui lòng kiểm tra lại mã trên giấy tiếp nhận "
        f"hoặc {contact}.",
        single_sms,
    )


def too_many_reply(single_sms: bool = True) -> str:
    """Reply (sent at most once) to a number that asks too often."""
    return _text("Ông/bà đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.", single_sms)


def _text(text: str, single_sms: bool) -> str:
    return _fit([text]) if single_sms else text


def _fit(parts: list[str]) -> str:
    """Join GSM-7 parts in order while they fit; the first is cut if it alone doesn't."""
    reply = ""
    for part in map(to_gsm7, parts):
        candidate = f"{reply} {part}".strip()
        if _septets(candidate) <= GSM7_LIMIT:
            reply = candidate
            continue
        room = GSM7_LIMIT - _septets(reply) - 1 - len(_ELLIPSIS)
        if room >= len(part) // 3:
            reply = f"{reply} {_cut(part, room)}{_ELLIPSIS}".strip()
        break
    return reply


def _cut(text: str, room: int) -> str:
    """``text`` shortened to ``room`` septets, at a word boundary when one is near."""
    cut = ""
    for ch in text:
        if _septets(cut + ch) > room:
            break
        cut += ch
    head, _, _ = cut.rpartition(" ")
    return head if len(head) > room // 2 else cut
