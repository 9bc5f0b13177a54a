"""Configuration pushed by the server is held to the device's allow-lists: a host posing
as the server cannot send tickets to its own printer or write files on the device."""

from __future__ import annotations

from pathlib import Path

import pytest

from device_kit.client import ServerUntrusted
from device_kit.pushed_config import LocalGrants, screen
from device_kit.trust import Trust


def test_only_local_devices_and_hosts_entered_on_the_device_are_taken(tmp_path: Path) -> None:
    grants = LocalGrants.from_settings(
        tmp_path,
        local_urls=["tcp://192.168.1.40:9100"],
        env={"MOTCUA_PRINTER_HOSTS": "in-may.local"},
    )
    allowed = [
        "serial:///dev/ttyUSB0?baudrate=9600", "file:///dev/usb/lp0", "usb://0x0416:0x5011",
        "tcp://192.168.1.40:9100", "tcp://in-may.local", "tcp://127.0.0.1:9100",
        f"file://{tmp_path}/ticket.bin",
    ]
    refused = [
        "tcp://another-host:9100", "file:///etc/cron.d/x", "file:///dev/motcua/../../etc/passwd",
        f"file://{tmp_path}/../outside", "serial:///home/kiosk/.bashrc",
    ]
    for url in allowed:
        assert screen({"printer_url": url}, grants).accepted == {"printer_url": url}, url
    for url in refused:
        screened = screen({"printer_url": url, "paper": 58}, grants)
        assert screened.accepted == {"paper": 58}, url
        assert "printer_url" in screened.refused
    pushed = {
        "serial": {"port": "/etc/shadow", "baudrate": 9600},
        "scanners": ["camera:0", "serial:///tmp/fifo"],
        "led_routes": ["3=/dev/motcua/led:3", "4=/root/x:4"],
    }
    assert set(screen(pushed, grants).refused) == {"serial", "scanners", "led_routes"}


def test_printer_text_mode_is_taken_only_as_one_of_its_values() -> None:
    grants = LocalGrants.from_settings(env={})
    for mode in ("auto", "codepage", "raster"):
        assert screen({"printer_text_mode": mode}, grants).accepted == {"printer_text_mode": mode}
    screened = screen({"printer_text_mode": "bitmap", "paper": 80}, grants)
    assert screened.accepted == {"paper": 80} and "printer_text_mode" in screened.refused


def test_a_boards_voice_is_taken_only_as_one_of_its_values() -> None:
    grants = LocalGrants.from_settings(env={})
    voice = {"announcement_mode": "number", "announcement_variant": "south"}
    assert screen(voice, grants).accepted == voice
    screened = screen({"announcement_mode": "spell", "announcement_variant": "west"}, grants)
    assert screened.accepted == {}
    assert screened.refused["announcement_variant"] == (
        "announcement variant 'west' is not one of north, south"
    )


def test_plain_http_is_refused_before_anything_is_sent_except_to_loopback() -> None:
    trust = Trust()
    for url in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        trust.check(url)
    for url in ("http://192.0.2.10:8000", "http://motcua.local", "ftp://127.0.0.1"):
        with pytest.raises(ServerUntrusted) as refused:
            trust.check(url)
        assert refused.value.problem == "plain_http"
