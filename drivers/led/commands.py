"""``motcua-devices`` commands for LED boards: ``board-test``, ``list-ports``, ``emulate board``."""

from __future__ import annotations

import argparse
import time
from typing import Any

from serial.tools import list_ports

from drivers.emulate_command import register_emulator
from drivers.led.emulator import LedEmulator
from drivers.led.protocol import LedCommand
from drivers.led.serial_led import open_led_bus
from drivers.serial_frame import Command, Frame
from drivers.serial_options import add_emulator_arguments, add_serial_arguments

SAMPLE_NUMBER = "A023"
SAMPLE_TEXT = "Thử bảng"


def register(subparsers: Any) -> None:
    test = subparsers.add_parser(
        "board-test",
        help="exercise a counter LED board",
        description="Ping a board, show a number, blink, dim, show text, then blank it.",
    )
    add_serial_arguments(test)
    test.add_argument("--address", type=int, default=1, help="board address (default 1)")
    test.set_defaults(func=board_test)

    ports = subparsers.add_parser("list-ports", help="list the serial ports of this machine")
    ports.set_defaults(func=list_serial_ports)

    register_emulator(
        subparsers,
        "board",
        add_arguments=add_emulator_arguments,
        run=emulate_board,
        help="counter LED boards on a pty",
    )


def board_test(args: argparse.Namespace) -> int:
    with open_led_bus(args.port, baudrate=args.baud, timeout=args.timeout) as bus:
        board = bus.board(args.address)
        if not board.ping():
            print(f"bảng {args.address} không trả lời / board {args.address} does not answer")
            return 1

        def steady() -> None:
            board.blink(0)
            board.set_brightness(100)

        steps = (
            (f"show {SAMPLE_NUMBER}", lambda: board.show_number(SAMPLE_NUMBER)),
            ("blink 0.5 s", lambda: board.blink(0.5)),
            ("brightness 50 %", lambda: board.set_brightness(50)),
            ("steady, brightness 100 %", steady),
            (f"show text {SAMPLE_TEXT!r}", lambda: board.show_text(SAMPLE_TEXT)),
            ("blank", board.blank),
        )
        print(f"board {args.address} on {args.port}: ping ok")
        for name, step in steps:
            step()
            print(f"board {args.address}: {name} ok")
    return 0


def list_serial_ports(args: argparse.Namespace) -> int:
    ports = sorted(list_ports.comports(), key=lambda port: port.device)
    if not ports:
        print("không có cổng nối tiếp / no serial ports found")
    for port in ports:
        print(f"{port.device}\t{port.description}\t{port.hwid}")
    return 0


def emulate_board(args: argparse.Namespace) -> int:
    """Serve the boards until Ctrl-C, printing the pty path, then each command and state."""
    emulator = LedEmulator(args.addresses, link=args.link).start()
    try:
        print(emulator.path, flush=True)
        seen = rejected = 0
        while True:
            with emulator.lock:
                frames = emulator.received[seen:]
                states = {address: repr(state) for address, state in emulator.boards.items()}
            seen += len(frames)
            for frame in frames:
                print(f"< {_describe(frame)}", flush=True)
            if frames:
                print("  " + "; ".join(f"board {a}: {s}" for a, s in states.items()), flush=True)
            if emulator.rejected != rejected:
                rejected = emulator.rejected
                print(f"rejected frames (bad checksum): {rejected}", flush=True)
            time.sleep(0.1)
    finally:
        emulator.stop()


def _describe(frame: Frame) -> str:
    names = {c.value: c.name for c in (*Command, *LedCommand)}
    name = names.get(frame.command, f"0x{frame.command:02x}")
    return f"address {frame.address} {name} [{frame.payload.hex(' ')}]"
