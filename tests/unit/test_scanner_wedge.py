"""Keyboard-wedge scanners: a burst of fast keys ended by Enter is a scan, typing is not."""

from __future__ import annotations

import pytest

from drivers.scanner import Scan
from drivers.scanner.wedge import WedgeAssembler, WedgeScanner

CODE = "000.00.16.G04-220405-0008"


def type_keys(assembler: WedgeAssembler, text: str, start: float, gap: float) -> list[str]:
    payloads = []
    for n, char in enumerate(text):
        payload = assembler.feed(char, start + n * gap)
        if payload is not None:
            payloads.append(payload)
    return payloads


def test_scanner_speed_burst_ending_in_enter_is_one_scan() -> None:
    assert type_keys(WedgeAssembler(), CODE + "\r", 0.0, 0.008) == [CODE]


def test_line_feed_also_ends_a_scan() -> None:
    assert type_keys(WedgeAssembler(), CODE + "\n", 0.0, 0.008) == [CODE]


def test_person_typing_a_code_and_pressing_enter_is_not_a_scan() -> None:
    assert type_keys(WedgeAssembler(), CODE + "\r", 0.0, 0.15) == []


def test_typing_then_a_scan_yields_only_the_scanned_payload() -> None:
    """GIVEN a visitor typed 'abc' slowly in the search field, then scanned a receipt
    THEN the scan is exactly the receipt's code, without the typed letters."""
    assembler = WedgeAssembler()
    assert type_keys(assembler, "abc", 0.0, 0.2) == []
    assert type_keys(assembler, CODE + "\r", 1.0, 0.005) == [CODE]


def test_pause_before_enter_discards_the_burst() -> None:
    assembler = WedgeAssembler()
    assert type_keys(assembler, CODE, 0.0, 0.005) == []
    assert assembler.feed("\r", 5.0) is None


def test_short_fast_bursts_are_ignored() -> None:
    """Two keys rolled quickly by a person (e.g. 'ok' + Enter) are not a scan."""
    assert type_keys(WedgeAssembler(min_length=4), "ok\r", 0.0, 0.01) == []


def test_burst_in_progress_is_reported_for_the_ui() -> None:
    assembler = WedgeAssembler()
    assembler.feed("0", 0.0)
    assert not assembler.in_burst
    assembler.feed("0", 0.005)
    assert assembler.in_burst


def test_wedge_scanner_delivers_scan_at_the_enter_time_and_suppresses_repeats() -> None:
    got: list[Scan] = []
    scanner = WedgeScanner(got.append)
    t = 50.0
    for _ in range(2):  # the visitor presses the trigger twice
        for char in CODE + "\r":
            scanner.key(char, t)
            t += 0.004
        t += 0.5
    assert len(got) == 1
    assert got[0].payload == CODE and got[0].source == "wedge"
    assert got[0].time == pytest.approx(50.0 + len(CODE) * 0.004)
