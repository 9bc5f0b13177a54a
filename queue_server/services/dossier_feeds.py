"""Use cases feeding the mirror: file import, signed push, REST pull.

Each source maps rows with the site's :class:`FieldMapping`, upserts them and
notes the feed's state (last success, cursor, last error) so a lookup can say
how old its data is while upstream is down.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from device_kit.contract.events import EventKind
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.citizen_id import CitizenIdKey
from queue_server.dossiers.connectors import file_import, webhook
from queue_server.dossiers.connectors.file_import import Row
from queue_server.dossiers.connectors.pull import PullClient, PullOptions
from queue_server.dossiers.errors import ImportRejected, UpstreamUnavailable, WebhookRefused
from queue_server.runtime import Runtime
from queue_server.services.dossier_mirror import record_feed, upsert_dossiers
from queue_server.services.dossier_settings import DossierSection, load_dossier_settings
from queue_server.services.working_calendar import site_calendar

log = logging.getLogger(__name__)

IMPORT, PUSH, PULL, DEMO = "import", "push", "pull", "demo"


@dataclass(frozen=True)
class FeedResult:
    rows: int
    skipped: int = 0


def mirror_rows(
    uow: UnitOfWork,
    site_id: int,
    rows: Iterable[Row],
    source: str,
    now: datetime,
    *,
    settings: DossierSection | None = None,
    all_or_nothing: bool = True,
    id_key: CitizenIdKey | None = None,
) -> FeedResult:
    """Map and upsert ``rows``; refuse them all on any problem unless told otherwise.

    Applicant ID numbers are hashed with ``id_key`` while mapping: the number itself
    never reaches the database. Without a key, a row carrying one is refused.
    """
    settings = settings or load_dossier_settings(uow, site_id)
    mapping = settings.mapping(id_key.digest if id_key is not None else None)
    calendar = site_calendar(uow, site_id, settings.site_hours())
    records, problems = file_import.map_rows(rows, mapping, calendar)
    if problems and all_or_nothing:
        log.warning("%s of %d rows refused: %d problems", source, len(records), len(problems))
        raise ImportRejected(problems)
    for problem in problems:
        log.warning(
            "%s row %s skipped: %s %s", source, problem["row"], problem["field"], problem["problem"]
        )
    count = upsert_dossiers(uow, site_id, records, source, now)
    return FeedResult(count, len(problems))


def import_file(
    uow: UnitOfWork,
    site_id: int,
    data: bytes,
    kind: str,
    actor: str,
    now: datetime,
    id_key: CitizenIdKey | None = None,
) -> FeedResult:
    """A CSV/XLSX file from the one-stop system, all rows or none."""
    rows = file_import.read_table(data, kind)
    result = mirror_rows(uow, site_id, rows, IMPORT, now, id_key=id_key)
    record_feed(uow, site_id, IMPORT, now, rows=result.rows)
    uow.record(
        site_id=site_id,
        kind=EventKind.DOSSIERS_IMPORTED,
        actor=actor,
        at=now,
        payload={"rows": result.rows, "format": kind},
    )
    return result


def accept_push(
    uow: UnitOfWork,
    site_id: int,
    headers: dict[str, str | None],
    body: bytes,
    now: datetime,
    id_key: CitizenIdKey | None = None,
) -> FeedResult:
    """A signed push: verify it, refuse replays, mirror its rows (all or none).

    The body is parsed only once its signature holds: an anonymous sender must
    not make the server walk a hostile document (deep nesting, huge numbers).
    """
    settings = load_dossier_settings(uow, site_id)
    section = settings.webhook
    secret = section.secret() if section is not None else None
    if section is None or secret is None:
        raise WebhookRefused("no_secret")
    digest = webhook.verify(
        secret,
        headers.get(webhook.TIMESTAMP_HEADER),
        headers.get(webhook.SIGNATURE_HEADER),
        body,
        now.timestamp(),
        section.tolerance_s,
    )
    uow.dossiers.forget_deliveries(now - timedelta(seconds=2 * section.tolerance_s))
    if not uow.dossiers.note_delivery(site_id, digest, now):
        raise WebhookRefused("replay")
    payload = _push_document(body)
    rows = payload.get("dossiers") if isinstance(payload, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ImportRejected(
            [],
            'The push body is {"dossiers": [ {...}, ... ]}.',
            'Dữ liệu đẩy có dạng {"dossiers": [ {...}, ... ]}.',
        )
    result = mirror_rows(
        uow, site_id, enumerate(rows, start=1), PUSH, now, settings=settings, id_key=id_key
    )
    record_feed(uow, site_id, PUSH, now, rows=result.rows)
    return result



def note_push_refused(
    uow: UnitOfWork, site_id: int, reason: str, address: str, now: datetime
) -> None:
    """Keep an audit event of a refused push, in a transaction of its own (the
    refused one rolled back)."""
    uow.record(
        site_id=site_id,
        kind=EventKind.DOSSIERS_PUSH_REFUSED,
        actor=f"webhook:{address}",
        at=now,
        payload={"reason": reason},
    )

def _push_document(body: bytes) -> Any:
    """The signed body as JSON, or None when it is not a document we can read."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested past Python's stack
        return None


class FeedView(TypedDict):
    source: str
    last_attempt_at: str | None
    last_success_at: str | None
    age_s: int | None
    last_error: str | None
    rows_total: int | None


def feed_report(uow: UnitOfWork, site_id: int, now: datetime) -> list[FeedView]:
    """Each feed of the mirror (pull, push, file import): last attempt and success, how
    old the mirror is, the last error, the rows held; for the API and the admin page."""
    states = [uow.dossiers.feed_state(site_id, source) for source in (PULL, PUSH, IMPORT)]
    return [
        {
            "source": s.source,
            "last_attempt_at": s.last_attempt_at.isoformat() if s.last_attempt_at else None,
            "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
            "age_s": int((now - s.last_success_at).total_seconds())
            if s.last_success_at
            else None,
            "last_error": s.last_error,
            "rows_total": s.rows_total,
        }
        for s in states
    ]


@dataclass(frozen=True)
class PullReport:
    rows: int
    pages: int
    skipped: int
    error: str | None = None


def pull_options(settings: DossierSection) -> PullOptions:
    section = settings.pull
    if section is None:
        raise UpstreamUnavailable(
            "No [dossiers.pull] section in the site file.",
            "Tệp cấu hình chưa có mục [dossiers.pull].",
        )
    return PullOptions(
        url=section.url,
        auth_header=section.auth_header,
        auth_value=section.auth_value(),
        page_size=section.page_size,
        timeout_s=section.timeout_s,
        retries=section.retries,
        backoff_s=section.backoff_s,
    )


def pull_dossiers(
    runtime: Runtime, site_id: int, client: PullClient, max_pages: int = 10_000
) -> PullReport:
    """Fetch every page changed since the stored cursor; one short transaction a page.

    Pages are fetched with no transaction open. A row upstream gets wrong is
    skipped and logged (one bad row must not stop the feed); an unreachable
    upstream is noted on the feed and the mirror keeps its data.
    """
    with runtime.uow(readonly=True) as uow:
        cursor = uow.dossiers.feed_state(site_id, PULL).cursor
        settings = load_dossier_settings(uow, site_id)
    rows = pages = skipped = 0
    while pages < max_pages:
        try:
            page = client.fetch(cursor)
        except UpstreamUnavailable as exc:
            log.warning("dossier pull failed: %s", exc.message)
            with runtime.uow() as uow:
                record_feed(uow, site_id, PULL, runtime.clock(), error=exc.message)
                uow.commit()
            return PullReport(rows, pages, skipped, exc.message)
        now = runtime.clock()
        with runtime.uow() as uow:
            result = mirror_rows(
                uow,
                site_id,
                enumerate(page.rows, start=1),
                PULL,
                now,
                settings=settings,
                all_or_nothing=False,
                id_key=runtime.id_key,
            )
            record_feed(uow, site_id, PULL, now, rows=result.rows, cursor=page.cursor)
            uow.commit()
        rows, pages, skipped = rows + result.rows, pages + 1, skipped + result.skipped
        if not page.has_more or page.cursor == cursor:
            break
        cursor = page.cursor
    return PullReport(rows, pages, skipped)


def pull_forever(runtime: Runtime, site_id: int, once: bool = False) -> int:
    """Pull every ``interval_s`` until interrupted; with ``once``, exit 1 if it failed."""
    with runtime.uow(readonly=True) as uow:
        settings = load_dossier_settings(uow, site_id)
    interval = settings.pull.interval_s if settings.pull else 0
    with PullClient(pull_options(settings)) as client:
        while True:
            report = pull_dossiers(runtime, site_id, client)
            log.info(
                "dossier pull: %d rows in %d pages, %d skipped, error %s",
                report.rows,
                report.pages,
                report.skipped,
                report.error,
            )
            if once:
                return 0 if report.error is None else 1
            time.sleep(interval)
