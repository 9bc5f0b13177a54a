"""Counter LED number boards on RS-485 / RS-232.

Public interface (kept small and stable for the LED bridge)::

    from drivers.led import LedBoard, open_led_bus

    with open_led_bus("/dev/ttyUSB0", baudrate=9600) as bus:
        board = bus.board(5)          # address set on the board's DIP switches
        board.show_number("A023")
        board.blink(0.5)              # 0 stops blinking
        board.set_brightness(80)
        board.show_text("Tạm dừng")
        board.blank()

Errors are :mod:`drivers.errors` types; after ``DeviceDisconnected`` call
``bus.reconnect()``. ``LedEmulator`` (``drivers.led.emulator``) serves the same
bytes on a pty; the protocol is in ``docs/protocols.md``.
"""

from drivers.led.base import NumberBoard
from drivers.led.serial_led import LedBoard, LedBus, open_led_bus

__all__ = ["LedBoard", "LedBus", "NumberBoard", "open_led_bus"]
