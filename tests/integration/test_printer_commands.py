"""``motcua-devices`` printer commands against the emulator (parser built from the printer
family's own ``register``, so the test does not depend on the other families' commands)."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Final

import numpy as np
import pytest
from clocks import process_env
from PIL import Image
from printer_fixtures import running_emulator

from drivers.printer import commands
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.profiles import paper_profile
from drivers.printer.ticket_layout import RasterOp, ticket_ops

#: These tests are about Vietnamese as rasters; the code-page path has its own.
RASTER: Final = "raster"
RASTER_80 = paper_profile(80, text_mode=RASTER)

RUNNER = (
    "import argparse, sys\n"
    "from drivers.printer import commands\n"
    "parser = argparse.ArgumentParser()\n"
    "commands.register(parser.add_subparsers(dest='command', required=True))\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.func(args))\n"
)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="motcua-devices")
    commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    with running_emulator(tmp_path) as emulator:
        yield emulator


def test_test_print_prints_the_vietnamese_sample_ticket(
    emulator: PrinterEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"tcp://127.0.0.1:{emulator.port}"
    assert run("test-print", "--printer", url, "--text-mode", "raster") == 0
    assert "A023" in capsys.readouterr().out
    (job,) = emulator.wait_for_jobs(1)
    sample = commands.SAMPLE_TICKET
    assert sample.service_name == "Đăng ký kinh doanh"
    assert job.text == sample.number and job.qr_payloads == [sample.tracking_url]
    rasters = [op for op in ticket_ops(sample, RASTER_80) if isinstance(op, RasterOp)]
    index = [op.name for op in rasters].index("service")
    x, y, width, height = job.raster_boxes[index]
    page = Image.open(job.png_path).convert("L")
    printed = np.asarray(page.crop((x, y, x + width, y + height)))
    assert np.array_equal(printed, np.asarray(rasters[index].image))


def test_printer_status_in_both_languages(
    emulator: PrinterEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"serial://{emulator.pty_path}"
    assert run("printer-status", "--printer", url, "--paper", "58") == 0
    assert "Sẵn sàng / ready" in capsys.readouterr().out
    emulator.paper_out = True
    assert run("printer-status", "--printer", url) == 1
    assert "Máy in hết giấy. / The printer has no paper." in capsys.readouterr().out


def test_bad_printer_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("printer-status", "--printer", "COM3")
    assert exit_info.value.code == 2
    assert "tcp://, serial://, usb:// or file://" in capsys.readouterr().err


def test_list_printers_shows_serial_ports_as_urls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from serial.tools import list_ports

    ports = [SimpleNamespace(device="/dev/ttyUSB0", description="USB-Serial CH340")]
    monkeypatch.setattr(list_ports, "comports", lambda: ports)
    assert run("list-printers") == 0
    assert "serial:///dev/ttyUSB0\tUSB-Serial CH340" in capsys.readouterr().out.splitlines()


def test_emulate_printer_writes_png_and_json_per_job(tmp_path: Path) -> None:
    """``emulate printer --tcp 127.0.0.1:0 --pty --out DIR`` until Ctrl-C."""
    out = tmp_path / "jobs"
    command = [sys.executable, "-c", RUNNER, "emulate", "printer", "--tcp", "127.0.0.1:0"]
    with subprocess.Popen(
        [*command, "--pty", "--out", str(out)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env=process_env(PYTHONUNBUFFERED="1"),
    ) as process:
        try:
            assert process.stdout is not None
            tcp_url = process.stdout.readline().strip()
            pty_url = process.stdout.readline().strip()
            assert tcp_url.startswith("tcp://127.0.0.1:") and pty_url.startswith("serial:///dev/")
            assert run("test-print", "--printer", tcp_url, "--text-mode", "raster") == 0
            summary_path = out / "1.json"
            deadline = time.monotonic() + 5
            while not summary_path.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
            assert summary["text"] == ["A023"]
            assert summary["qr_payloads"] == [commands.SAMPLE_TICKET.tracking_url]
            assert summary["cut"] is True and summary["status_queries"] == [1, 2, 4]
            assert (out / "1.png").exists()
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=5) == 0
