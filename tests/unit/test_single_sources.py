"""Facts the server and the devices share are spelled once, in the wire contract,
so a change reaches every side (issue 14)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("queue_server", "device_kit", "kiosk_app", "display_board", "drivers")


def _spelling(literal: str) -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and f'"{literal}"' in path.read_text(encoding="utf-8")
    )


def test_the_default_time_zone_is_named_in_the_contract_only() -> None:
    assert _spelling("Asia/Ho_Chi_Minh") == ["device_kit/contract/site_zone.py"]
