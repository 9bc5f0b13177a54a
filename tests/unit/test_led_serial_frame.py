"""The frame format shared by LED boards and keypads: exact bytes, checksum, resynchronisation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.errors import ProtocolError
from drivers.serial_frame import (
    MAX_PAYLOAD,
    Command,
    Frame,
    FrameParser,
    NakReason,
    ack,
    answers,
    crc16,
    decode_frame,
    encode_frame,
    nak,
)

PROTOCOLS_DOC = Path(__file__).parents[2] / "docs" / "protocols.md"
SHOW_A023 = bytes.fromhex("02 05 10 04 41 30 32 33 a3 a1")
PING_1 = bytes.fromhex("02 01 01 00 c8 9d")

frames = st.builds(
    Frame,
    address=st.integers(0, 247),
    command=st.integers(0, 255),
    payload=st.binary(max_size=MAX_PAYLOAD),
)


def corrupt(data: bytes, index: int = -1) -> bytes:
    flipped = bytearray(data)
    flipped[index] ^= 0x01
    return bytes(flipped)


def test_crc_is_ccitt_false() -> None:
    """The published check value of CRC-16/CCITT-FALSE."""
    assert crc16(b"123456789") == 0x29B1


def test_encode_exact_bytes() -> None:
    assert encode_frame(Frame(5, 0x10, b"A023")) == SHOW_A023
    assert encode_frame(Frame(1, Command.PING)) == PING_1


def test_ack_and_nak_name_the_command_they_answer() -> None:
    request = Frame(5, 0x10, b"A023")
    assert encode_frame(ack(request)) == bytes.fromhex("02 05 06 01 10 ab 25")
    assert nak(request, NakReason.BAD_PAYLOAD).payload == b"\x10\x02"
    assert answers(ack(request), request)
    assert not answers(ack(Frame(6, 0x10)), request)
    assert not answers(ack(Frame(5, 0x11)), request)


@given(frames)
def test_every_frame_round_trips(frame: Frame) -> None:
    assert decode_frame(encode_frame(frame)) == frame


@given(frames, st.integers(0, 100))
def test_a_stream_split_anywhere_yields_the_same_frames(frame: Frame, cut: int) -> None:
    data = encode_frame(frame) * 2
    parser = FrameParser()
    cut = cut % len(data)
    assert parser.feed(data[:cut]) + parser.feed(data[cut:]) == [frame, frame]
    assert parser.rejected == 0


@pytest.mark.parametrize(
    "data",
    [corrupt(SHOW_A023), corrupt(SHOW_A023, 5), SHOW_A023[:-1], b"\x03" + SHOW_A023[1:]],
)
def test_decode_refuses_damaged_frames(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_frame(data)


def test_frame_fields_are_validated() -> None:
    with pytest.raises(ValueError):
        Frame(248, 0x10)
    with pytest.raises(ValueError):
        Frame(1, 0x10, bytes(MAX_PAYLOAD + 1))


def test_corrupted_frame_is_counted_and_the_next_one_is_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GIVEN a frame damaged by noise between two good ones
    WHEN the stream is parsed
    THEN the damaged one is rejected once and logged, and both good ones come through."""
    parser = FrameParser()
    got = parser.feed(PING_1 + corrupt(SHOW_A023, 6) + SHOW_A023)
    assert got == [Frame(1, Command.PING), Frame(5, 0x10, b"A023")]
    assert parser.rejected == 1
    assert "rejected" in caplog.text


def test_noise_between_frames_is_skipped() -> None:
    parser = FrameParser()
    assert parser.feed(b"\xff\x00\x41" + PING_1 + b"\x55") == [Frame(1, Command.PING)]
    assert parser.rejected == 0
    assert parser.skipped == 4


def test_impossible_length_is_rejected_at_once() -> None:
    parser = FrameParser()
    assert parser.feed(b"\x02\x01\x10\xff" + PING_1) == [Frame(1, Command.PING)]
    assert parser.rejected == 1


def test_a_stray_start_byte_is_expired_after_silence() -> None:
    """A stray STX announcing 16 bytes would hold the real frame until the line is idle."""
    parser = FrameParser()
    assert parser.feed(b"\x02\x01\x10\x10" + PING_1) == []
    assert parser.expire() == [Frame(1, Command.PING)]
    assert parser.rejected == 1
    assert parser.pending == 0


def test_examples_in_the_protocol_document_are_valid_frames() -> None:
    examples = re.findall(r"`(02(?: [0-9a-f]{2})+)`", PROTOCOLS_DOC.read_text(encoding="utf-8"))
    assert len(examples) >= 15
    for example in examples:
        data = bytes.fromhex(example)
        assert encode_frame(decode_frame(data)) == data


def is_subsequence(wanted: list[Frame], got: list[Frame]) -> bool:
    remaining = iter(got)
    return all(frame in remaining for frame in wanted)


@given(st.lists(st.tuples(st.binary(max_size=12), frames), max_size=5), st.binary(max_size=12))
def test_every_frame_survives_noise_around_it(
    noisy: list[tuple[bytes, Frame]], tail: bytes
) -> None:
    """Noise (start bytes included) before, between and after frames never loses a frame:
    the parser always resynchronises on the next STX, and silence expires a false start."""
    parser = FrameParser()
    got = parser.feed(b"".join(noise + encode_frame(frame) for noise, frame in noisy) + tail)
    while parser.pending:
        got += parser.expire()
    assert is_subsequence([frame for _, frame in noisy], got)
