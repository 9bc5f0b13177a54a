"""What a staff password must be: long rather than complicated (NIST SP 800-63B),
not the user name, and not one of the passwords every guesser tries first."""

from __future__ import annotations

import unicodedata

from queue_server.queueing.errors import QueueError

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_DISTINCT = 5
#: Lower-cased; what people in a Vietnamese office pick when asked for a password.
COMMON = frozenset(
    {
        "1234567890", "12345678910", "123456789a", "0123456789", "1111111111",
        "password123", "password1234", "passw0rd123", "qwertyuiop", "qwerty12345",
        "abc1234567", "admin12345", "admin123456", "administrator", "matkhau123",
        "matkhau1234", "matkhaumoi", "motcua2024", "motcua2025", "motcua2026",
        "vietnam123", "vietnam1234", "hanoi12345", "iloveyou123", "123456abc",
    }
)


class WeakPassword(QueueError):
    code = "weak_password"
    status = 422


def check_password(password: str, username: str) -> None:
    """Raise :class:`WeakPassword` saying what is wrong, in Vietnamese and English."""
    text = unicodedata.normalize("NFC", password)
    if len(text) < MIN_LENGTH:
        raise WeakPassword(
            f"The password must have at least {MIN_LENGTH} characters.",
            f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
        )
    if len(text) > MAX_LENGTH:
        raise WeakPassword(
            f"The password may have at most {MAX_LENGTH} characters.",
            f"Mật khẩu dài tối đa {MAX_LENGTH} ký tự.",
        )
    lowered = text.casefold()
    if len(username) >= 3 and username.casefold() in lowered:
        raise WeakPassword(
            "The password must not contain the user name.",
            "Mật khẩu không được chứa tên đăng nhập.",
        )
    if len(set(lowered)) < MIN_DISTINCT or lowered in COMMON:
        raise WeakPassword(
            "This password is too easy to guess.", "Mật khẩu này quá dễ đoán."
        )
