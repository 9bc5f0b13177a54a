"""Shared helpers for printer integration tests: a running emulator and sample documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from device_kit.client import QueueClient
from drivers.printer import SlipData, TicketData, open_printer
from drivers.printer.emulator import PrinterEmulator
from kiosk_app.controller import KioskController, KioskSettings
from kiosk_app.offline import Outbox

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "printer"
TRACKING_URL = "https://motcua.example.vn/t/A023-7f3k"


@contextmanager
def running_emulator(
    out_dir: Path, paper: int = 80, idle_flush: float = 0.2
) -> Iterator[PrinterEmulator]:
    """An emulator on a free 127.0.0.1 port and a pty, writing jobs to ``out_dir``;
    a job without a cut ends after ``idle_flush`` seconds of silence."""
    with PrinterEmulator(
        out_dir=out_dir, pty=True, paper=paper, idle_flush=idle_flush
    ) as emulator:
        yield emulator


def sample_ticket(**changes: object) -> TicketData:
    fields: dict[str, object] = dict(
        centre_name="Trung tâm Phục vụ hành chính công tỉnh Hà Nam",
        service_name="Đăng ký kinh doanh",
        number="A023",
        issued_at=datetime(2026, 11, 24, 9, 5),
        tracking_url=TRACKING_URL,
        people_ahead=5,
        priority_label="Người cao tuổi",
        hotline="1900 1234",
    )
    fields.update(changes)
    return TicketData(**fields)  # type: ignore[arg-type]


def sample_slip() -> SlipData:
    return SlipData(
        centre_name="Trung tâm Phục vụ hành chính công tỉnh Hà Nam",
        dossier_code="000.00.06.H56-231027-0361",
        procedure="Cấp giấy chứng nhận đăng ký hộ kinh doanh",
        status_text="Đang xử lý",
        printed_at=datetime(2026, 11, 24, 9, 30),
        due_date=date(2026, 11, 30),
        timeliness="Đúng hạn",
        tracking_url="https://motcua.example.vn/hs/000.00.06.H56-231027-0361",
    )


def kiosk_at(
    emulator: PrinterEmulator, client: QueueClient, outbox: Outbox, clock: Any, paper: int = 80
) -> KioskController:
    """A kiosk printing to ``emulator`` over TCP, blocks of three, its catalogue loaded;
    ``clock`` is the server's, so its blocks are leased for the server's day."""
    controller = KioskController(
        client,
        lambda: open_printer(f"tcp://127.0.0.1:{emulator.port}", paper=paper),
        outbox,
        KioskSettings(block_size=3),
        clock=clock,
    )
    controller.load_catalogue()
    return controller
