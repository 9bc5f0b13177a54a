"""``motcua-devices`` commands for counter keypads: ``keypad-test``, ``emulate keypad``."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import Any

from drivers.emulate_command import register_emulator
from drivers.errors import DeviceDisconnected
from drivers.keypad.emulator import KeypadEmulator
from drivers.keypad.protocol import Key, Led
from drivers.keypad.serial_keypad import open_keypad_bus
from drivers.serial_options import add_emulator_arguments, add_serial_arguments

KEY_NAMES_VI = {
    Key.CALL_NEXT: "Gọi số tiếp theo",
    Key.RECALL: "Gọi lại",
    Key.FINISH: "Kết thúc",
    Key.NO_SHOW: "Vắng mặt",
    Key.VERY_SATISFIED: "Rất hài lòng",
    Key.SATISFIED: "Hài lòng",
    Key.NOT_SATISFIED: "Không hài lòng",
}


def register(subparsers: Any) -> None:
    test = subparsers.add_parser(
        "keypad-test",
        help="print the keys pressed on counter keypads",
        description="Print each key press (acknowledged, with a beep), until Ctrl-C.",
    )
    add_serial_arguments(test)
    test.add_argument("--count", type=int, help="stop after this many presses")
    test.add_argument("--seconds", type=float, help="stop after this many seconds")
    test.set_defaults(func=keypad_test)

    register_emulator(
        subparsers,
        "keypad",
        add_arguments=add_emulator_arguments,
        run=emulate_keypad,
        help="counter keypads on a pty; type key names on stdin to press them",
    )


def keypad_test(args: argparse.Namespace) -> int:
    deadline = time.monotonic() + args.seconds if args.seconds is not None else float("inf")
    presses = 0
    with open_keypad_bus(args.port, baudrate=args.baud, timeout=args.timeout) as bus:
        print(f"listening on {args.port}; press keys (Ctrl-C to stop)", flush=True)
        while time.monotonic() < deadline and (args.count is None or presses < args.count):
            try:
                event = bus.read_event(min(1.0, deadline - time.monotonic()))
                if event is None:
                    continue
                presses += 1
                print(
                    f"keypad {event.address}: {event.key.name} / {KEY_NAMES_VI[event.key]}"
                    f" (seq {event.seq})",
                    flush=True,
                )
                bus.feedback(event.address, Led.GREEN, beeps=1)
            except DeviceDisconnected as exc:
                print(f"{exc}; reconnecting", file=sys.stderr, flush=True)
                bus.reconnect()
    return 0


def emulate_keypad(args: argparse.Namespace) -> int:
    """Serve the keypads until Ctrl-C or end of input; each stdin line presses a key.

    A line is a key name (``call_next``, ``recall``, ``finish``, ``no_show``,
    ``very_satisfied``, ``satisfied``, ``not_satisfied``), optionally followed by
    the keypad address.
    """
    emulator = KeypadEmulator(args.addresses, link=args.link).start()
    stop = threading.Event()
    watcher = threading.Thread(target=_print_replies, args=(emulator, stop), daemon=True)
    watcher.start()
    try:
        print(emulator.path, flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            try:
                key = Key[words[0].upper()]
                address = int(words[1]) if len(words) > 1 else args.addresses[0]
                seq = emulator.press(key, address)
            except (KeyError, ValueError):
                print(f"unknown key or address: {line.strip()!r}", file=sys.stderr, flush=True)
                continue
            print(f"pressed {key.name} on keypad {address} (seq {seq})", flush=True)
    finally:
        stop.set()
        watcher.join()
        emulator.stop()
    return 0


def _print_replies(emulator: KeypadEmulator, stop: threading.Event) -> None:
    seen_acks = seen_feedback = rejected = 0
    while not stop.wait(0.1):
        if emulator.rejected != rejected:
            rejected = emulator.rejected
            print(f"rejected frames (bad checksum): {rejected}", flush=True)
        with emulator.lock:
            acks, feedback = emulator.acked[seen_acks:], emulator.feedback[seen_feedback:]
        seen_acks += len(acks)
        seen_feedback += len(feedback)
        for address, seq in acks:
            print(f"keypad {address}: host acknowledged seq {seq}", flush=True)
        for item in feedback:
            print(f"keypad {item.address}: LED {item.led.name}, {item.beeps} beep(s)", flush=True)
