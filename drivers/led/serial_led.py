"""Counter LED boards on a serial bus (RS-485, or RS-232 for a single board)."""

from __future__ import annotations

from drivers.frame_link import FrameLink
from drivers.led import protocol
from drivers.serial_frame import check_address


class LedBus(FrameLink):
    """The serial line the boards hang on; ``bus.board(n)`` addresses one of them."""

    def board(self, address: int) -> LedBoard:
        return LedBoard(self, address)


class LedBoard:
    """One board. Each call waits for the board's ACK (bounded by the bus timeout).

    Raises :class:`~drivers.errors.DeviceTimeout` when the board stays silent,
    :class:`~drivers.errors.DeviceDisconnected` when the port vanished (call
    ``bus.reconnect()``), :class:`~drivers.errors.ProtocolError` on a NAK.
    """

    def __init__(self, bus: FrameLink, address: int) -> None:
        self.bus = bus
        self.address = check_address(address)

    def show_number(self, number: str) -> None:
        self.bus.request(protocol.show_number(self.address, number))

    def show_text(self, text: str) -> None:
        self.bus.request(protocol.show_text(self.address, text))

    def blank(self) -> None:
        self.bus.request(protocol.blank(self.address))

    def blink(self, half_period: float = 0.5) -> None:
        self.bus.request(protocol.blink(self.address, half_period))

    def set_brightness(self, percent: int) -> None:
        self.bus.request(protocol.brightness(self.address, percent))

    def ping(self) -> bool:
        return self.bus.ping(self.address)


def open_led_bus(port: str, *, baudrate: int = 9600, timeout: float = 0.5) -> LedBus:
    """Open the bus on ``port``; close it with ``close()`` or use it in ``with``."""
    return LedBus(port, baudrate=baudrate, timeout=timeout).open()
