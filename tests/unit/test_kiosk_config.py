"""Where an unattended kiosk finds its server and token, and the technician PIN check."""

from __future__ import annotations

from pathlib import Path

import pytest

from device_kit.contract.device_wire import DeviceConfig
from device_kit.settings import Source
from kiosk_app.config import Hardware, hash_pin, load, pin_matches


def test_command_line_beats_environment_beats_pairing(tmp_path: Path) -> None:
    paired = load(["--data-dir", str(tmp_path)], {})
    paired.save_pairing("http://10.0.0.5:8000", "paired-token")
    env = {"MOTCUA_SERVER_URL": "http://10.0.0.9:8000", "MOTCUA_TOKEN": "env-token"}
    from_pairing = load(["--data-dir", str(tmp_path)], {})
    from_env = load(["--data-dir", str(tmp_path)], env)
    from_args = load(["--data-dir", str(tmp_path), "--server", "http://a:1", "--token", "t"], env)
    assert (from_pairing.server_url, from_pairing.token) == ("http://10.0.0.5:8000", "paired-token")
    assert (from_env.server_url, from_env.token) == ("http://10.0.0.9:8000", "env-token")
    assert (from_args.server_url, from_args.token) == ("http://a:1", "t")
    assert (tmp_path / "pairing.json").stat().st_mode & 0o077 == 0


def test_defaults_are_fullscreen_portrait_ticket_mode(tmp_path: Path) -> None:
    config = load(["--data-dir", str(tmp_path)], {})
    assert (config.mode, config.windowed, config.size, config.lang) == (
        "ticket",
        False,
        (1080, 1920),
        "vi",
    )
    landscape = load(["--data-dir", str(tmp_path), "--size", "1920x1080", "--windowed"], {})
    assert landscape.size == (1920, 1080) and landscape.windowed
    scanners = load(["--data-dir", str(tmp_path)], {"MOTCUA_SCANNERS": "camera:0, wedge"})
    assert scanners.scanners == ("camera:0", "wedge")


def test_pin_is_checked_against_its_hash_only() -> None:
    stored = hash_pin("2468")
    assert "2468" not in stored
    assert pin_matches(stored, "2468")
    assert not pin_matches(stored, "1357")
    assert not pin_matches(None, "2468")  # no hash configured: the screen stays shut
    assert not pin_matches("not-a-hash", "2468")


def test_the_servers_device_settings_apply_except_those_given_explicitly(tmp_path: Path) -> None:
    config = load(["--data-dir", str(tmp_path), "--paper", "58"], {"MOTCUA_SCANNERS": "camera:0"})
    assert (config.resolved["paper"].source, config.resolved["scanners"].source) == (
        Source.FLAG,
        Source.ENVIRONMENT,
    )
    hardware = config.hardware()
    hardware.apply(DeviceConfig(printer_url="tcp://10.0.0.31:9100", paper=80, camera=2))
    assert (hardware.printer_url, hardware.paper, hardware.scanners) == (
        "tcp://10.0.0.31:9100",
        58,
        ("camera:0",),
    )
    assert hardware.sources["printer_url"] == Source.PUSHED
    free = Hardware("tcp://127.0.0.1:9100", scanners=("camera:0", "wedge"))
    free.apply(DeviceConfig(printer_profile="TM-T88V", camera=1))
    assert (free.printer_profile, free.scanners) == ("TM-T88V", ("camera:1", "wedge"))
    free.apply(DeviceConfig(scanners=["wedge"]))
    assert (free.printer_url, free.scanners) == ("tcp://127.0.0.1:9100", ("wedge",))
    free.apply(DeviceConfig())  # what the server no longer sends stays as it was
    assert (free.printer_profile, free.scanners) == ("TM-T88V", ("wedge",))
    assert free.printer_text_mode == "auto"
    free.apply(DeviceConfig(printer_text_mode="raster"))  # a clone that prints its page wrongly
    assert free.printer_text_mode == "raster"
    pinned = load(["--data-dir", str(tmp_path), "--printer-text-mode", "codepage"]).hardware()
    pinned.apply(DeviceConfig(printer_text_mode="raster"))
    assert pinned.printer_text_mode == "codepage"  # set on the kiosk itself: it wins


def test_show_settings_names_where_each_value_came_from_and_hides_secrets(
    tmp_path: Path,
) -> None:
    (tmp_path / "pairing.json").write_text(
        '{"server_url": "http://10.0.0.5:8000", "token": "s3cret", "pin_hash": "$argon2id$x"}'
    )
    env = {"MOTCUA_PRINTER_URL": "tcp://10.0.0.31:9100"}
    config = load(["--data-dir", str(tmp_path), "--paper", "58"], env)
    lines = {line.split()[0]: line for line in config.shown().splitlines()}
    assert lines["server_url"].endswith("= http://10.0.0.5:8000  (pairing)")
    assert lines["printer_url"].endswith("= tcp://10.0.0.31:9100  (environment)")
    assert lines["paper"].endswith("= 58  (flag)")
    assert lines["printer_profile"].endswith("= None  (default)")
    assert "s3cret" not in config.shown() and "argon2" not in config.shown()
    assert lines["token"].endswith("= ***  (pairing)")


def test_pairing_again_keeps_the_pin_hash_beside_the_token(tmp_path: Path) -> None:
    config = load(["--data-dir", str(tmp_path)], {})
    (tmp_path / "pairing.json").write_text('{"token": "old", "pin_hash": "$argon2id$x"}')
    config.save_pairing("http://10.0.0.5:8000", "new")
    again = load(["--data-dir", str(tmp_path)], {})
    assert (again.token, again.pin_hash) == ("new", "$argon2id$x")


def test_every_token_the_system_makes_survives_the_command_line(tmp_path: Path) -> None:
    """A token beginning with '-' made `--token TOKEN` an argparse error (1 in 64)."""
    from device_kit.client import ClientError
    from device_kit.fleet import DeviceAgent

    agent = DeviceAgent("http://127.0.0.1:9", "kiosk")
    made = set()
    for _ in range(400):
        with pytest.raises(ClientError):
            agent.request_code()  # makes the secret, then finds no server
        made.add(agent.token)
    assert len(made) == 400
    for token in made:
        config = load(["--data-dir", str(tmp_path), "--token", token], {})
        assert config.token == token
