"""``motcua-devices`` scanner sub-commands, registered on a parser of our own."""

from __future__ import annotations

import argparse

import pytest

from drivers.scanner import Scan
from drivers.scanner.commands import emulate_scanner, format_scan, register, scanner_config


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua-devices")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


@pytest.mark.parametrize(
    ("argv", "config"),
    [
        (["scan", "--camera", "0"], "camera:0"),
        (["scan", "--serial", "/dev/ttyACM0"], "serial:///dev/ttyACM0?baudrate=9600"),
        (
            ["scan", "--serial", "/dev/ttyACM0", "--baud", "115200"],
            "serial:///dev/ttyACM0?baudrate=115200",
        ),
        (["scan", "--wedge"], "wedge"),
    ],
)
def test_scan_options_name_the_scanner(parser, argv: list[str], config: str) -> None:
    assert scanner_config(parser.parse_args(argv)) == config


def test_scan_needs_exactly_one_device(parser) -> None:
    with pytest.raises(SystemExit):
        parser.parse_args(["scan"])
    with pytest.raises(SystemExit):
        parser.parse_args(["scan", "--camera", "0", "--wedge"])


def test_emulate_scanner_and_list_cameras_are_registered(parser) -> None:
    args = parser.parse_args(["emulate", "scanner", "--pty", "--terminator", "lf"])
    assert args.func is emulate_scanner and args.terminator == "lf"
    assert parser.parse_args(["list-cameras"]).command == "list-cameras"


def test_redacted_output_shows_only_the_length() -> None:
    scan = Scan("001203004567", "wedge", 0.0)
    assert format_scan(scan, redact=True) == "[wedge] <12 ký tự / characters>"
    assert format_scan(scan, redact=False) == "[wedge] 001203004567"
