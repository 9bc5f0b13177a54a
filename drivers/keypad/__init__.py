"""Counter keypads on RS-485 / RS-232: officer keys and the visitor's rating keys.

Public interface (kept small and stable for the counter)::

    from drivers.keypad import Key, KeyEvent, Led, open_keypad_bus

    with open_keypad_bus("/dev/ttyUSB1") as bus:
        event = bus.read_event(timeout=1.0)     # KeyEvent | None, already acknowledged
        if event and event.key is Key.CALL_NEXT:
            ...                                  # call next for the counter at event.address
            bus.feedback(event.address, Led.GREEN, beeps=1)
        bus.keypad(3).ping()                     # Keypad: one address on the bus

Keys: CALL_NEXT, RECALL, FINISH, NO_SHOW, VERY_SATISFIED, SATISFIED, NOT_SATISFIED.
Errors are :mod:`drivers.errors` types; after ``DeviceDisconnected`` call
``bus.reconnect()``. ``KeypadEmulator`` (``drivers.keypad.emulator``) serves the
same bytes on a pty; the protocol is in ``docs/protocols.md``.
"""

from drivers.keypad.base import KeyEvent, KeySource
from drivers.keypad.protocol import Key, Led
from drivers.keypad.serial_keypad import Keypad, KeypadBus, open_keypad_bus

__all__ = ["Key", "KeyEvent", "KeySource", "Keypad", "KeypadBus", "Led", "open_keypad_bus"]
