"""Public dossier lookup: a code or QR payload in, the public view out; and a
citizen's own dossiers, found by the keyed hash of the ID number on their card."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from device_kit.contract.dossier_codes import DossierCode
from device_kit.contract.qr_payload import extract_code
from queue_server.adapters.dossier_repository import MirroredDossier
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.dossiers.errors import UnknownDossier
from queue_server.dossiers.record import public_view

log = logging.getLogger(__name__)
#: "Hồ sơ của tôi" lists at most this many, newest first: a screen's worth.
CITIZEN_DOSSIERS_MAX = 20
# Timeliness of a lookup needs only the zone, not the site's overrides.
_CLASSIFIER = WorkingCalendar()


def data_as_of(uow: UnitOfWork, site_id: int, found: MirroredDossier) -> datetime:
    """The row's own sync time, or the last time a feed confirmed the mirror, if later."""
    feeds = uow.dossiers.last_success(site_id)
    return max(found.synced_at, feeds) if feeds is not None else found.synced_at


def find_by_code(uow: UnitOfWork, site_id: int, code: DossierCode) -> MirroredDossier:
    found = uow.dossiers.find(site_id, code)
    if found is None:
        log.info("lookup of unknown dossier %s", code)
        raise UnknownDossier()
    return found


def lookup_dossier(uow: UnitOfWork, site_id: int, query: str, now: datetime) -> dict[str, Any]:
    """The public answer for a typed code or a scanned payload (never echoes the payload)."""
    found = find_by_code(uow, site_id, extract_code(query))
    return public_view(found.record, _CLASSIFIER, now, data_as_of(uow, site_id, found))


def citizen_dossiers(
    uow: UnitOfWork, site_id: int, id_hash: str, now: datetime
) -> list[dict[str, object]]:
    """The public view of each dossier whose applicant ID hashes to ``id_hash``; the
    number itself never reaches this layer."""
    found = uow.dossiers.of_applicant(site_id, id_hash, CITIZEN_DOSSIERS_MAX)
    return [public_view(m.record, _CLASSIFIER, now, data_as_of(uow, site_id, m)) for m in found]
