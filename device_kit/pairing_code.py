"""How every device shows its pairing code: grouped on a screen, drawn large on a
console, with what to do with it in Vietnamese and English (no Kivy)."""

from __future__ import annotations

#: The pairing code drawn five lines high on a console (``#`` blocks), digit by digit.
BIG_DIGITS = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": (" # ", "## ", " # ", " # ", "###"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", "###", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
}

PAIRING_TITLE_VI = "Ghép nối thiết bị"
PAIRING_TITLE_EN = "Device pairing"
PAIRING_HINT_VI = "Kỹ thuật viên nhập mã này trên trang Thiết bị của máy chủ."
PAIRING_HINT_EN = "A technician enters this code on the server's Devices page."


def grouped(code: str) -> str:
    """``"123456"`` as ``"123 456"``: easier to read across a hall and to type."""
    return f"{code[:3]} {code[3:]}"


def big_code(code: str) -> str:
    """The code drawn large for a console, with the bilingual title above it."""
    rows = ["   ".join(BIG_DIGITS[d][row] for d in code if d in BIG_DIGITS) for row in range(5)]
    big = "\n".join(row.replace("#", "██").replace(" ", "  ") for row in rows)
    return (
        f"{PAIRING_TITLE_VI} / {PAIRING_TITLE_EN}\n\n{big}\n\n"
        f"Mã / Code: {grouped(code)}\n{PAIRING_HINT_VI}\n{PAIRING_HINT_EN}"
    )


#: How many hex digits of the CA fingerprint are drawn big: what a technician reads first.
FINGERPRINT_HEAD = 16
FINGERPRINT_LABEL = "Vân tay CA máy chủ (SHA-256) / Server CA fingerprint (SHA-256)"
COMPARE_VI = "So sánh với vân tay CA trên trang Thiết bị trước khi nhập mã."
COMPARE_EN = "Compare it with the CA fingerprint on the fleet page before entering the code."
CONFIRM_VI = "Máy chủ gửi CA này. Nếu vân tay giống trang Thiết bị, bấm Xác nhận (phím Enter)."
CONFIRM_EN = "The server sent this CA. If it matches the fleet page, press Confirm (Enter key)."
CONFIRM_BUTTON = "Xác nhận vân tay / Confirm fingerprint"


def fingerprint_groups(fingerprint: str) -> tuple[str, str]:
    """A SHA-256 fingerprint however typed, in groups of four hex digits for reading
    aloud: the first sixteen digits (drawn big) and the rest (drawn small)."""
    digits = "".join(c for c in fingerprint.upper() if c in "0123456789ABCDEF")
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    head = FINGERPRINT_HEAD // 4
    return " ".join(groups[:head]), " ".join(groups[head:])


def console_fingerprint(fingerprint: str, confirm: bool) -> str:
    """The fingerprint for a console, with what the technician must do with it."""
    head, tail = fingerprint_groups(fingerprint)
    vi, en = (CONFIRM_VI, CONFIRM_EN) if confirm else (COMPARE_VI, COMPARE_EN)
    return f"{FINGERPRINT_LABEL}\n\n    {head}\n    {tail}\n\n{vi}\n{en}"
