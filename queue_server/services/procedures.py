"""The procedure catalogue in the database: import (upsert by code), search, and
the vocabulary of names people use.

Search is accent-insensitive (DESIGN.md, Text): every folded word of the query
must start a word of the procedure's name, code or field, so ``dang ky khai si``
finds ``Đăng ký khai sinh``; ``procedure_search`` says how results are ranked and
how a vocabulary entry (``sổ đỏ``) rewrites a query. The built-in vocabulary
ships as ``procedure_vocabulary.json``; a centre's administrator adds entries.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from device_kit.contract.events import EventKind
from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.dossiers.procedure_search import (
    InvalidVocabularyEntry,
    VocabularyEntry,
    query_words,
    rank,
    rewrites,
)
from queue_server.dossiers.procedures import Procedure, parse_catalogue
from queue_server.text import fold, nfc

MAX_RESULTS = 50
BUILT_IN_VOCABULARY = Path(__file__).parents[1] / "procedure_vocabulary.json"


def import_procedures(uow: UnitOfWork, site_id: int, catalogue: Iterable[Procedure]) -> int:
    procedures = list(catalogue)
    uow.procedures.upsert(site_id, procedures)
    return len(procedures)


def import_catalogue_file(
    uow: UnitOfWork, site_id: int, data: bytes, kind: str, actor: str, now: datetime
) -> int:
    """A JSON or XLSX catalogue, all procedures or none; returns how many were saved."""
    count = import_procedures(uow, site_id, parse_catalogue(data, kind))
    uow.record(
        site_id=site_id,
        kind=EventKind.PROCEDURES_IMPORTED,
        actor=actor,
        at=now,
        payload={"count": count},
    )
    return count


def _view(procedure: Procedure, full: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field,
        "level": procedure.level,
        "agency": procedure.agency,
        "time_limit": procedure.time_limit,
        "online_url": procedure.online_url,
    }
    if full:
        view |= {
            "fees": procedure.fees,
            "documents": list(procedure.documents),
            "working_hours": procedure.working_hours,
        }
    return view


def search_procedures(
    uow: UnitOfWork, site_id: int, query: str = "", field: str = "", limit: int = 20
) -> list[dict[str, Any]]:
    """Procedures whose name, code or field hold every word of ``query`` (or of a
    vocabulary rewrite of it), best first; all of them by name for no query."""
    words = query_words(query)
    if words:
        found: dict[str, Procedure] = {}
        for rewritten in rewrites(words, vocabulary(uow, site_id)):
            for procedure in rank(uow.procedures.search(site_id, rewritten), rewritten):
                found.setdefault(procedure.code, procedure)
        results = list(found.values())
    else:
        results = uow.procedures.search(site_id, [])
    if field:
        results = [p for p in results if fold(field) in fold(p.field)]
    return [_view(p, full=False) for p in results[: min(limit, MAX_RESULTS)]]


@functools.cache
def built_in_vocabulary() -> tuple[VocabularyEntry, ...]:
    entries = json.loads(BUILT_IN_VOCABULARY.read_text(encoding="utf-8"))["entries"]
    return tuple(VocabularyEntry(e["phrase"], e["target"]) for e in entries)


def vocabulary(uow: UnitOfWork, site_id: int) -> list[VocabularyEntry]:
    """The built-in entries and the centre's own; the centre's win for the same phrase."""
    entries = {fold(e.phrase): e for e in built_in_vocabulary()}
    entries |= {fold(e.phrase): e for e in uow.procedures.vocabulary(site_id)}
    return sorted(entries.values(), key=lambda e: fold(e.phrase))


def save_vocabulary_entry(
    uow: UnitOfWork, site_id: int, phrase: str, target: str, actor: str, now: datetime
) -> VocabularyEntry:
    """Teach the centre's search a name people use: ``phrase`` then finds ``target``."""
    entry = VocabularyEntry(" ".join(nfc(phrase).split()), " ".join(nfc(target).split()))
    if not query_words(entry.phrase) or not query_words(entry.target):
        raise InvalidVocabularyEntry()
    uow.procedures.save_vocabulary_entry(site_id, entry)
    uow.record(
        site_id=site_id,
        kind=EventKind.PROCEDURE_VOCABULARY_SAVED,
        actor=actor,
        at=now,
        payload={"phrase": entry.phrase, "target": entry.target},
    )
    return entry


def procedure_detail(uow: UnitOfWork, site_id: int, code: str) -> dict[str, Any] | None:
    found = uow.procedures.find(site_id, code)
    return None if found is None else _view(found, full=True)
