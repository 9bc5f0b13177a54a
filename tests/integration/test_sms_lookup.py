"""SMS lookup through the emulated GSM modem: replies, helpful refusals, flood limit."""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import serial
from dossier_fixtures import seed_mirror, site_id
from sqlalchemy import text

from device_kit.contract.dossier_codes import DossierCode
from drivers.errors import DriverError, ProtocolError
from drivers.gsm.emulator import GsmModemEmulator
from drivers.gsm.modem import GsmModem
from queue_server.dossiers import sms
from queue_server.dossiers.status import DossierStatus
from queue_server.mock_upstream import demo_dossiers
from queue_server.runtime import Runtime
from queue_server.services.sms_lookup import SmsLookup, SmsResponder
from queue_server.services.sms_outbox import SmsOutbox
from queue_server.sms_service import serve

PHONE = "+84912345678"


@pytest.fixture
def line() -> Iterator[tuple[GsmModemEmulator, GsmModem]]:
    with GsmModemEmulator() as emulator, GsmModem(emulator.path, timeout=2.0) as modem:
        modem.setup()
        yield emulator, modem


def responder(runtime: Runtime, modem: GsmModem) -> SmsResponder:
    lookup = SmsLookup(runtime, site_id(runtime), per_hour=6, hotline="1900 1234")
    return SmsResponder(modem, lookup, failures=(ProtocolError,))


def exchange(emulator: GsmModemEmulator, service: SmsResponder, sender: str, text: str) -> str:
    before = len(emulator.sent)
    emulator.deliver(sender, text)
    assert service.run_once(timeout=2.0)
    assert len(emulator.sent) == before + 1
    number, reply = emulator.sent[-1]
    assert number == sender
    return reply


def test_hs_code_gets_the_status_in_one_gsm7_sms(
    runtime: Runtime, line: tuple[GsmModemEmulator, GsmModem]
) -> None:
    emulator, modem = line
    rows = seed_mirror(runtime, 10)
    service = responder(runtime, modem)
    row = rows[3]
    code = DossierCode.parse(row["MaHoSo"])
    with runtime.uow(readonly=True) as uow:
        record = uow.dossiers.find(site_id(runtime), code)
    assert record is not None
    expected = sms.status_reply(
        code, DossierStatus(4), record.record.due_at, record.record.collect_at
    )
    assert exchange(emulator, service, PHONE, f"hs {row['MaHoSo'].lower()}") == expected
    assert expected.startswith(f"HS {code}: Dang xu ly.")
    assert sms.fits_one_sms(expected)
    assert emulator.storage == {}


def test_malformed_and_unknown_codes_get_helpful_replies(
    runtime: Runtime, line: tuple[GsmModemEmulator, GsmModem]
) -> None:
    emulator, modem = line
    seed_mirror(runtime, 3)
    service = responder(runtime, modem)
    malformed = exchange(emulator, service, PHONE, "cho toi hoi ho so")
    assert malformed == sms.malformed_reply()
    assert "HS <ma ho so>" in malformed
    unknown = exchange(emulator, service, PHONE, "TC 000.00.06.H56-240101-9999")
    assert unknown == sms.unknown_reply(DossierCode.parse("000.00.06.H56-240101-9999"), "1900 1234")
    assert "1900 1234" in unknown


def test_a_flood_from_one_number_is_limited(
    runtime: Runtime, line: tuple[GsmModemEmulator, GsmModem]
) -> None:
    emulator, modem = line
    code = seed_mirror(runtime, 2)[0]["MaHoSo"]
    service = responder(runtime, modem)
    replies = [exchange(emulator, service, PHONE, f"HS {code}") for _ in range(6)]
    assert all(r.startswith("HS ") for r in replies)
    assert exchange(emulator, service, PHONE, f"HS {code}") == sms.too_many_reply()
    for _ in range(5):
        emulator.deliver(PHONE, f"HS {code}")
        assert service.run_once(timeout=2.0)
    assert len(emulator.sent) == 7
    assert emulator.storage == {}
    assert exchange(emulator, service, "0987654321", f"HS {code}").startswith("HS ")
    runtime.clock.advance(minutes=10)
    assert exchange(emulator, service, PHONE, f"HS {code}").startswith("HS ")


def test_messages_received_while_down_are_answered_at_start(
    runtime: Runtime, line: tuple[GsmModemEmulator, GsmModem]
) -> None:
    emulator, modem = line
    code = demo_dossiers(1, runtime.clock())[0]["MaHoSo"]
    seed_mirror(runtime, 1)
    emulator.indications = False
    emulator.deliver("0911111111", f"HS {code}")
    emulator.deliver("0922222222", "xin chao")
    service = responder(runtime, modem)
    assert service.catch_up() == 2
    assert [n for n, _ in emulator.sent] == ["0911111111", "0922222222"]
    assert emulator.sent[1][1] == sms.malformed_reply()
    assert emulator.storage == {}


def test_a_sender_that_cannot_be_answered_is_skipped_and_the_next_one_answered(
    runtime: Runtime, line: tuple[GsmModemEmulator, GsmModem]
) -> None:
    """A carrier's name as sender, then a SIM without credit: neither reply can go, both
    messages leave the SIM, and the service answers the next citizen as before."""
    emulator, modem = line
    code = seed_mirror(runtime, 1)[0]["MaHoSo"]
    service = responder(runtime, modem)
    emulator.deliver("Viettel", f"HS {code}")
    assert service.run_once(timeout=2.0)
    emulator.refusal = "+CMS ERROR: 42"
    emulator.deliver(PHONE, f"HS {code}")
    assert service.run_once(timeout=2.0)
    assert emulator.sent == [] and emulator.storage == {}
    emulator.refusal = None
    assert exchange(emulator, service, "0987654321", f"HS {code}").startswith(f"HS {code}")


def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the SMS service never got there"
        time.sleep(0.02)


def test_a_message_read_by_a_turn_that_failed_is_answered_once_the_database_is_back(
    runtime: Runtime, line: tuple[GsmModemEmulator, GsmModem]
) -> None:
    """The database goes away while a message is being answered: the turn fails after
    reading it (to the modem it is no longer new), the service carries on, and once
    the database is back it answers that message and deletes it."""
    emulator, modem = line
    code = seed_mirror(runtime, 1)[0]["MaHoSo"]
    outbox = SmsOutbox(runtime, failures=(DriverError,))
    stop = threading.Event()
    with runtime.db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE dossiers RENAME TO dossiers_away"))
    worker = threading.Thread(
        target=serve,
        args=(modem, responder(runtime, modem), outbox, stop),
        kwargs={"wait_s": 0.2, "pause_s": 0.05},
    )
    worker.start()
    try:
        index = emulator.deliver(PHONE, f"HS {code}")
        until(lambda: not emulator.storage[index].unread)  # read; the lookup failed
        assert emulator.sent == []
        with runtime.db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE dossiers_away RENAME TO dossiers"))
        assert emulator.wait_sent(1, timeout=10.0)
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
    assert [(number, reply.split(":")[0]) for number, reply in emulator.sent] == [
        (PHONE, f"HS {code}")
    ]
    until(lambda: emulator.storage == {})


def test_a_modem_that_opens_but_fails_its_set_up_is_opened_afresh() -> None:
    """Just after it is plugged in, a USB modem can open and then fail: the next
    attempt must not reuse that dead handle."""
    opened: list[Any] = []

    class DeadOnArrival:
        def __init__(self, *_args: object, **_options: object) -> None:
            self.closed = False

        def write(self, _data: bytes) -> int:
            raise OSError(errno.EIO, "Input/output error")

        def close(self) -> None:
            self.closed = True

    def plugged_in(port: str, **options: Any) -> Any:
        handle = DeadOnArrival() if not opened else serial.Serial(port, **options)
        opened.append(handle)
        return handle

    with GsmModemEmulator() as emulator:
        modem = GsmModem(emulator.path, timeout=2.0, serial_factory=plugged_in)
        modem.reconnect(attempts=3, sleep=lambda _s: None)
        try:
            assert len(opened) == 2 and opened[0].closed
            emulator.deliver(PHONE, "HS 1")
            assert [m.text for m in modem.waiting()] == ["HS 1"]
        finally:
            modem.close()


def test_a_modem_pulled_out_and_plugged_back_answers_what_came_meanwhile(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The modem's cable is pulled while the service waits; plugged back (the same
    udev name, a new tty), it is set up again and the message that reached the SIM
    meanwhile is answered, with no restart of the service."""
    code = seed_mirror(runtime, 1)[0]["MaHoSo"]
    stop = threading.Event()
    with GsmModemEmulator(link=tmp_path / "ttyGSM") as emulator:
        modem = GsmModem(emulator.path, timeout=2.0).open()
        modem.setup()
        worker = threading.Thread(
            target=serve,
            args=(modem, responder(runtime, modem), SmsOutbox(runtime), stop),
            kwargs={"wait_s": 0.2, "pause_s": 0.05},
        )
        worker.start()
        try:
            emulator.vanish()
            emulator.restore()
            emulator.deliver(PHONE, f"HS {code}")
            assert emulator.wait_sent(1, timeout=20.0)
            until(lambda: emulator.storage == {})
        finally:
            stop.set()
            worker.join(20)
            modem.close()
    assert not worker.is_alive()
    assert [(number, reply.split(":")[0]) for number, reply in emulator.sent] == [
        (PHONE, f"HS {code}")
    ]
    assert emulator.text_mode and emulator.indications  # set up again after the return
