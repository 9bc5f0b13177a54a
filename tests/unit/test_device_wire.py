"""The device configuration and health are defined once in the contract: the server
validates with models made from the same dataclasses the devices read and send."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from device_kit.contract import device_wire
from queue_server.api.devices import DeviceConfig, Health


@pytest.mark.parametrize(
    ("wire", "model"), [(device_wire.DeviceConfig, DeviceConfig), (device_wire.Health, Health)]
)
def test_the_server_models_have_the_contracts_fields(wire: type, model: type) -> None:
    assert list(model.model_fields) == [f.name for f in dataclasses.fields(wire)]


def test_what_a_device_sends_is_what_the_server_takes() -> None:
    sent = device_wire.Health(printer="paper_out", role="kiosk-ticket", uptime_s=5,
                              clock=datetime(2025, 3, 1, 8, tzinfo=UTC))
    taken = Health.model_validate(sent.to_wire()).model_dump()
    assert taken == {**dataclasses.asdict(sent), "clock": sent.clock}


def test_the_contracts_limits_are_the_servers_checks() -> None:
    with pytest.raises(ValidationError):
        DeviceConfig.model_validate({"led_routes": ["3 to ttyUSB0"]})
    for address in ("248", "999", "01"):  # the LED bus addresses 0 (all) to 247
        with pytest.raises(ValidationError):
            DeviceConfig.model_validate({"led_routes": [f"3=/dev/ttyUSB0:{address}"]})
    routes = [f"3=/dev/ttyUSB0:{address}" for address in (0, 1, 9, 10, 99, 100, 199, 239, 247)]
    assert DeviceConfig.model_validate({"led_routes": routes}).led_routes == routes
    with pytest.raises(ValidationError):
        DeviceConfig.model_validate({"serial": {"port": "/dev/ttyS0", "baudrate": 300}})
    with pytest.raises(ValidationError):
        Health.model_validate({"detail": "x" * 201})
    with pytest.raises(ValidationError):  # a clock without its offset says nothing of skew
        Health.model_validate({"clock": "2025-03-01T08:00:00"})
    with pytest.raises(ValidationError):
        DeviceConfig.model_validate({"printer": "tcp://10.0.0.31:9100"})  # unknown field
    with pytest.raises(ValidationError):
        DeviceConfig.model_validate({"printer_text_mode": "bitmap"})
    taken = DeviceConfig.model_validate({"printer_text_mode": "raster"}).model_dump()
    assert taken["printer_text_mode"] == "raster"


def test_a_device_reads_what_the_server_stored_and_skips_what_it_does_not_know() -> None:
    stored = DeviceConfig.model_validate(
        {"paper": 58, "serial": {"port": "/dev/ttyUSB0"}, "led_routes": ["3=/dev/ttyUSB0:3"]}
    ).model_dump(exclude_none=True)
    read = device_wire.DeviceConfig.from_wire({**stored, "from_a_newer_server": 1})
    assert read == device_wire.DeviceConfig(
        paper=58, serial=device_wire.SerialSettings("/dev/ttyUSB0"), led_routes=["3=/dev/ttyUSB0:3"]
    )
    assert read.to_wire() == stored
