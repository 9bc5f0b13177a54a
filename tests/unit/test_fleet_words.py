"""The fleet page's problem texts: Vietnamese words in the Vietnamese line, whatever
state word a device sends (the kiosk sends ``unreachable`` for a printer it cannot reach)."""

from __future__ import annotations

from datetime import UTC, datetime

from queue_server.web.fleet import _shown

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def _entry(printer: str) -> dict[str, object]:
    return {
        "health": {"printer": printer}, "problems": ["printer"], "status": "unhealthy",
        "kind": "kiosk", "role": "kiosk-ticket", "last_seen_at": None, "uptime_s": 0,
    }


def test_a_printer_that_cannot_be_reached_reads_in_vietnamese() -> None:
    assert _shown(_entry("unreachable"), NOW)["problem_texts"] == [
        ("Máy in: không kết nối được", "Printer: unreachable")
    ]


def test_a_state_word_the_page_does_not_know_stays_out_of_the_vietnamese_line() -> None:
    vi, en = _shown(_entry("jammed"), NOW)["problem_texts"][0]
    assert vi == "Máy in: trạng thái không rõ" and "jammed" in en
