"""Upstream rows -> mirror records: field mapping, dates, refusals that quote no value;
the webhook signature and the lookup rate limiter."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest

from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.dossiers.connectors.mapping import FieldMapping, RowProblem, parse_moment
from queue_server.dossiers.connectors.webhook import sign, verify
from queue_server.dossiers.errors import WebhookRefused
from queue_server.dossiers.status import DossierStatus
from queue_server.services.rate_limit import RateLimiter

ICT = timezone(timedelta(hours=7))
ROW = {
    "MaHoSo": " h56.14 240823 0001 ",
    "TrangThai": "Dang giai quyet",
    "NgayTiepNhan": "23/08/2024 14:30",
    "ChuHoSo": "Nguyễn Văn An",
    "SoCCCD": "079201001234",
}


def test_default_mapping_reads_the_mock_upstream_shape() -> None:
    record = FieldMapping.build().to_record(ROW)
    assert str(record.code) == "H56.14-240823-0001"
    assert record.status is DossierStatus.PROCESSING
    assert record.received_at == datetime(2024, 8, 23, 14, 30, tzinfo=ICT)
    assert record.applicant_name == "Nguyễn Văn An"
    assert record.due_at is None


def test_site_mapping_and_status_words_win() -> None:
    mapping = FieldMapping.build(
        {"code": "so_ho_so", "status": "tinh_trang"}, {"CHO_KY": 4}, "Quầy 6"
    )
    row = {
        "so_ho_so": "000.00.06.H56-231027-0361",
        "tinh_trang": "CHO_KY",
        "received_at": "2023-10-27T08:00:00+07:00",
    }
    record = mapping.to_record(row)
    assert (record.status, record.collect_at) == (DossierStatus.PROCESSING, "Quầy 6")


def test_due_date_from_processing_days_uses_the_working_calendar() -> None:
    # Received Thursday 8 Feb 2024 09:00: 6 working hours that day, then Tết and its
    # compensation days (9-15 Feb), the last 2 hours on Friday 16 Feb.
    row = {**ROW, "NgayTiepNhan": "08/02/2024 09:00", "SoNgayXuLy": "1"}
    record = FieldMapping.build().to_record(row, WorkingCalendar())
    assert record.due_at == datetime(2024, 2, 16, 9, 0, tzinfo=ICT)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"MaHoSo": "079201001234"}, "code"),
        ({"MaHoSo": None}, "code"),
        ({"TrangThai": "gì đó"}, "status"),
        ({"NgayTiepNhan": "31/02/2024"}, "received_at"),
        ({"QuaTrinhXuLy": "{not json"}, "steps"),
        ({"SoNgayXuLy": "ba"}, "processing_days"),
        ({"ChuHoSo": "A" * 201}, "applicant_name"),
    ],
)
def test_refusals_name_the_field_and_never_the_value(change: dict, field: str) -> None:
    with pytest.raises(RowProblem) as refused:
        FieldMapping.build().to_record({**ROW, **change}, WorkingCalendar())
    assert refused.value.field == field
    assert "079201001234" not in refused.value.problem + refused.value.problem_vi


def test_moments() -> None:
    assert parse_moment("2024-08-23T07:30:00Z") == datetime(2024, 8, 23, 7, 30, tzinfo=UTC)
    assert parse_moment("1/9/2025") == datetime(2025, 9, 1, tzinfo=ICT)
    assert parse_moment(datetime(2025, 9, 1, 8)) == datetime(2025, 9, 1, 8, tzinfo=ICT)


def test_webhook_signature() -> None:
    body = b'{"dossiers": []}'
    signature = sign(b"k", "1700000000", body)
    assert signature == ("sha256=" + hmac.new(b"k", b"1700000000." + body, "sha256").hexdigest())
    digest = verify(b"k", "1700000000", signature, body, 1700000100, 300)
    assert len(digest) == 64
    for args, reason in (
        (("1700000000", signature, body + b" ", 1700000000), "bad_signature"),
        (("1700000000", signature, body, 1700000301), "stale_timestamp"),
        ((None, signature, body, 1700000000), "unsigned"),
    ):
        with pytest.raises(WebhookRefused) as refused:
            verify(b"k", *args[:3], args[3], 300)
        assert refused.value.reason == reason


def test_rate_limiter_refills_evenly_and_says_how_long_to_wait() -> None:
    limiter = RateLimiter(3, 60.0)
    assert [limiter.hit("a", 0.0) for _ in range(3)] == [0, 0, 0]
    assert limiter.hit("a", 0.0) == 20
    assert limiter.hit("b", 0.0) == 0
    assert limiter.hit("a", 20.0) == 0
    assert limiter.hit("a", 21.0) == 19


def test_rate_limiter_forgets_the_least_recent_keys_first() -> None:
    limiter = RateLimiter(1, 60.0, max_keys=2)
    limiter.hit("a", 0.0)
    limiter.hit("b", 0.0)
    limiter.hit("c", 0.0)
    assert limiter.hit("a", 0.0) == 0
    assert limiter.hit("c", 0.0) > 0
