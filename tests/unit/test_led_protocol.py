"""LED board commands: exact frames, validation, and what a board shows after each."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drivers.led import protocol
from drivers.led.protocol import BoardState
from drivers.serial_frame import Frame, encode_frame


@pytest.mark.parametrize(
    ("frame", "hex_bytes"),
    [
        (protocol.show_number(5, "A023"), "02 05 10 04 41 30 32 33 a3 a1"),
        (protocol.show_number(5, " a023 "), "02 05 10 04 41 30 32 33 a3 a1"),
        (protocol.blank(5), "02 05 12 00 42 7d"),
        (protocol.blink(5, 0.5), "02 05 13 01 05 41 22"),
        (protocol.brightness(5, 80), "02 05 14 01 50 ce e2"),
        (protocol.blank(0), "02 00 12 00 a9 8d"),
    ],
)
def test_frames_exact_bytes(frame: Frame, hex_bytes: str) -> None:
    assert encode_frame(frame) == bytes.fromhex(hex_bytes)


def test_text_is_sent_as_nfc_utf8() -> None:
    decomposed = "Ta\u0323m du\u031b\u0300ng"  # "Tạm dừng" typed with combining marks
    assert protocol.show_text(5, decomposed).payload == "Tạm dừng".encode()


@pytest.mark.parametrize(
    "build",
    [
        lambda: protocol.show_number(1, "A-23"),
        lambda: protocol.show_number(1, "A0234567X"),
        lambda: protocol.show_number(1, "Đ007"),
        lambda: protocol.show_text(1, "Đ" * 33),
        lambda: protocol.blink(1, 30),
        lambda: protocol.brightness(1, 101),
    ],
)
def test_what_a_board_cannot_show_is_refused_before_sending(build: Callable[[], Frame]) -> None:
    with pytest.raises(ValueError):
        build()


def test_board_state_follows_the_commands() -> None:
    state = BoardState()
    state.apply(protocol.show_number(1, "B105"))
    state.apply(protocol.blink(1, 0.3))
    state.apply(protocol.brightness(1, 40))
    assert state == BoardState(text="B105", blink=0.3, brightness=40)
    state.apply(protocol.show_text(1, "Tạm dừng"))
    assert state.text == "Tạm dừng"
    state.apply(protocol.blank(1))
    assert state.text == ""


@pytest.mark.parametrize(
    "frame",
    [Frame(1, 0x10, b"a-1"), Frame(1, 0x14, b"\x65"), Frame(1, 0x13, b""), Frame(1, 0x11, b"\xff")],
)
def test_board_refuses_bad_payloads(frame: Frame) -> None:
    with pytest.raises((ValueError, UnicodeDecodeError)):
        BoardState().apply(frame)
