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
