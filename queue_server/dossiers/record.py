"""One mirrored dossier, and the part of it the public may see.

The mirror keeps what the one-stop system sends that a lookup or a report
needs. :func:`public_view` is the single place deciding what leaves the server
without a login (DESIGN.md): the code, the procedure, the progress, the due
date, where to collect the result, the applicant's name masked, and how old the
data is. Never an ID number, a phone number or an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from device_kit.contract.dossier_codes import DossierCode
from device_kit.contract.qr_payload import redact
from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.dossiers.status import DossierStatus
from queue_server.text import mask_name


@dataclass(frozen=True)
class Step:
    """One entry of the processing timeline (received, sent to a unit, signed...)."""

    name: str
    at: datetime | None = None
    unit: str = ""


@dataclass(frozen=True)
class DossierRecord:
    code: DossierCode
    status: DossierStatus
    received_at: datetime
    procedure_code: str = ""
    procedure_name: str = ""
    agency: str = ""
    applicant_name: str = ""
    #: Keyed hash of the applicant's ID number (``queue_server.citizen_id``), never the
    #: number; "" when upstream sent none. Not in any view: only matched against.
    applicant_id_hash: str = ""
    due_at: datetime | None = None
    finished_at: datetime | None = None
    collect_at: str = ""
    steps: tuple[Step, ...] = ()
    upstream_status: str = ""
    updated_at: datetime | None = None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def public_view(
    record: DossierRecord, calendar: WorkingCalendar, now: datetime, data_as_of: datetime
) -> dict[str, Any]:
    """The public lookup answer; free text passes :func:`redact` as a last guard."""
    status = record.status
    timeliness = None
    if record.due_at is not None and not (status.is_closed and not status.is_finished):
        timeliness = calendar.classify(record.due_at, record.finished_at, now)
    return {
        "code": str(record.code),
        "procedure": {"code": record.procedure_code, "name": redact(record.procedure_name)},
        "agency": redact(record.agency),
        "applicant": mask_name(record.applicant_name) if record.applicant_name.strip() else "",
        "status": {
            "code": int(status),
            "label_vi": status.label_vi,
            "label_en": status.label_en,
            "explain_vi": status.explain_vi,
            "explain_en": status.explain_en,
            "needs_visitor": status.needs_visitor,
            "finished": status.is_finished,
        },
        "received_at": _iso(record.received_at),
        "due_at": _iso(record.due_at),
        "finished_at": _iso(record.finished_at),
        "timeliness": (
            None
            if timeliness is None
            else {
                "code": timeliness.name.lower(),
                "label_vi": timeliness.label_vi,
                "label_en": timeliness.label_en,
            }
        ),
        "steps": [
            {"name": redact(step.name), "unit": redact(step.unit), "at": _iso(step.at)}
            for step in record.steps
        ],
        "collect_at": redact(record.collect_at),
        "data_as_of": _iso(data_as_of),
        "data_age_s": max(0, int((now - data_as_of).total_seconds())),
    }
