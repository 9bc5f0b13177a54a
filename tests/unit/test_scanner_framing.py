"""Serial scanner framing: CR, LF or CR LF, any chunking, garbage on the line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.scanner.serial_scanner import LineFramer

CODE = "000.00.06.H56-231027-0361"
URL = "https://dichvucong.example.gov.vn/tra-cuu?MHS=000.00.16.G04-220405-0008"


@pytest.mark.parametrize("terminator", [b"\r\n", b"\r", b"\n"])
def test_each_terminator_style_frames_payloads(terminator: bytes) -> None:
    framer = LineFramer()
    data = CODE.encode() + terminator + URL.encode() + terminator
    assert framer.feed(data) == [CODE, URL]


def test_payload_split_across_reads_is_joined() -> None:
    framer = LineFramer()
    assert framer.feed(b"000.00.06.H5") == []
    assert framer.feed(b"6-231027-0361\r") == [CODE]
    assert framer.feed(b"\n") == []  # the LF of a CR LF split across reads is no empty scan


def test_garbage_bytes_are_dropped_and_the_next_scan_survives() -> None:
    framer = LineFramer()
    noise = b"\x00\xff\xfe\x1b\x07"
    assert framer.feed(noise + b"\r\n" + CODE.encode() + b"\r\n") == [CODE]


def test_vietnamese_utf8_payload_is_kept() -> None:
    framer = LineFramer()
    assert framer.feed("Nguyễn Văn A\r\n".encode()) == ["Nguyễn Văn A"]


def test_over_long_line_is_discarded_without_losing_the_next_scan() -> None:
    framer = LineFramer(max_bytes=64)
    for _ in range(100):  # a scanner stuck sending without a terminator
        assert framer.feed(b"x" * 50) == []
    assert framer.feed(b"\r\n" + CODE.encode() + b"\n") == [CODE]


@given(
    payloads=st.lists(
        st.text(
            alphabet=st.characters(
                min_codepoint=0x20,
                max_codepoint=0x1EF9,
                exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"),
            ),
            min_size=1,
            max_size=40,
        ),
        min_size=1,
        max_size=5,
    ),
    terminator=st.sampled_from([b"\r\n", b"\r", b"\n"]),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
)
def test_any_chunking_yields_the_same_payloads(
    payloads: list[str], terminator: bytes, cuts: list[int]
) -> None:
    stream = b"".join(p.encode() + terminator for p in payloads)
    bounds = sorted({0, len(stream), *(c % (len(stream) + 1) for c in cuts)})
    framer = LineFramer()
    got = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        got += framer.feed(stream[start:end])
    assert got == payloads
