"""Dossier use cases on the fake unit of work: the working calendar the admin edits,
the mirror's rule that an older upstream row never wins, the state each feed keeps,
and a signed push mirrored once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from fake_unit_of_work import FakeUnitOfWork

from device_kit.contract.dossier_codes import DossierCode
from queue_server.dossiers.connectors.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from queue_server.dossiers.errors import InvalidCalendar, WebhookRefused
from queue_server.dossiers.record import DossierRecord
from queue_server.dossiers.status import DossierStatus
from queue_server.mock_upstream import demo_dossiers
from queue_server.services.dossier_feeds import PULL, accept_push
from queue_server.services.dossier_lookup import lookup_dossier
from queue_server.services.dossier_mirror import ERROR_MAX, record_feed, upsert_dossiers
from queue_server.services.dossier_settings import (
    DossierSection,
    WebhookSection,
    save_dossier_settings,
)
from queue_server.services.unit_of_work import run
from queue_server.services.working_calendar import replace_year, site_calendar

NOW = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Hồ Chí Minh City
CODE = DossierCode.parse("000.00.06.H56-231027-0361")


def test_a_day_off_the_admin_adds_is_not_a_working_day(uow: FakeUnitOfWork) -> None:
    extra_day_off = {"date": "2025-03-04", "working": False, "note": "Nghỉ bù"}
    swapped_saturday = {"date": "2025-03-08", "working": True, "note": "Làm bù"}

    run(uow, lambda u: replace_year(u, 1, 2025, [swapped_saturday, extra_day_off]))
    calendar = site_calendar(uow, 1)

    assert not calendar.is_working_day(date(2025, 3, 4))
    assert calendar.is_working_day(date(2025, 3, 8))
    assert not calendar.is_working_day(date(2025, 9, 2))  # National Day, by the rules
    assert calendar.is_working_day(date(2025, 3, 5))


def test_a_year_is_replaced_whole_and_only_with_its_own_dates(uow: FakeUnitOfWork) -> None:
    run(uow, lambda u: replace_year(u, 1, 2025, [{"date": "2025-03-04", "working": False}]))
    run(uow, lambda u: replace_year(u, 1, 2026, [{"date": "2026-01-02", "working": False}]))

    with pytest.raises(InvalidCalendar):
        run(uow, lambda u: replace_year(u, 1, 2025, [{"date": "2026-03-04", "working": False}]))
    run(uow, lambda u: replace_year(u, 1, 2025, []))

    calendar = site_calendar(uow, 1)
    assert calendar.is_working_day(date(2025, 3, 4))
    assert not calendar.is_working_day(date(2026, 1, 2))


def record(status: int, updated_at: datetime) -> DossierRecord:
    received = NOW - timedelta(days=5)
    return DossierRecord(CODE, DossierStatus(status), received, updated_at=updated_at)


def test_an_older_upstream_row_never_overwrites_a_newer_one(uow: FakeUnitOfWork) -> None:
    newer, older = record(4, NOW), record(2, NOW - timedelta(hours=1))

    run(uow, lambda u: upsert_dossiers(u, 1, [newer], "push", NOW))
    run(uow, lambda u: upsert_dossiers(u, 1, [older], "pull", NOW + timedelta(minutes=1)))

    found = uow.dossiers.find(1, CODE)
    assert found is not None and found.record.status is DossierStatus(4)
    assert found.synced_at == NOW


def test_a_batch_repeating_a_code_mirrors_its_last_row_once(uow: FakeUnitOfWork) -> None:
    rows = [record(2, NOW), record(5, NOW)]

    count = run(uow, lambda u: upsert_dossiers(u, 1, rows, "import", NOW))

    found = uow.dossiers.find(1, CODE)
    assert count == 1 and found is not None and found.record.status is DossierStatus(5)


def test_a_feed_adds_up_its_rows_and_keeps_them_through_an_error(uow: FakeUnitOfWork) -> None:
    later = NOW + timedelta(minutes=5)
    run(uow, lambda u: record_feed(u, 1, PULL, NOW, rows=40, cursor="p2"))
    run(uow, lambda u: record_feed(u, 1, PULL, later, error="máy chủ không trả lời " * 100))

    state = uow.dossiers.feed_state(1, PULL)
    assert (state.rows_total, state.cursor, state.last_success_at) == (40, "p2", NOW)
    assert state.last_attempt_at == later
    assert len(state.last_error) == ERROR_MAX
    run(uow, lambda u: record_feed(u, 1, PULL, later, rows=2))
    state = uow.dossiers.feed_state(1, PULL)
    assert (state.rows_total, state.cursor, state.last_error) == (42, "p2", "")


def test_a_signed_push_is_mirrored_once_and_its_replay_refused(
    uow: FakeUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "bi-mat-chia-se"
    monkeypatch.setenv("MOTCUA_TEST_WEBHOOK_SECRET", secret)
    section = DossierSection(webhook=WebhookSection(secret_env="MOTCUA_TEST_WEBHOOK_SECRET"))
    run(uow, lambda u: save_dossier_settings(u, 1, section, NOW))
    rows = demo_dossiers(2, NOW, seed=7)
    body = json.dumps({"dossiers": rows}, ensure_ascii=False).encode()
    stamp = str(int(NOW.timestamp()))
    headers: dict[str, str | None] = {
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(secret.encode(), stamp, body),
    }

    result = run(uow, lambda u: accept_push(u, 1, headers, body, NOW))
    with pytest.raises(WebhookRefused) as replay:
        run(uow, lambda u: accept_push(u, 1, headers, body, NOW + timedelta(seconds=1)))

    assert result.rows == 2 and replay.value.reason == "replay"
    view = lookup_dossier(uow, 1, rows[1]["MaHoSo"], NOW)
    assert view["status"]["code"] == 2
    assert uow.dossiers.feed_state(1, "push").rows_total == 2
