"""The procedure catalogue in the database: upsert by code, search by folded words,
and a centre's vocabulary of the names people use.

``search_key`` holds the folded words of name, code and field, one space apart
(``Procedure.search_key``), written by the app on import so both engines compare
the same text (``đ`` folded to ``d``, which SQLite's FTS5 diacritic removal does
not do) with no database extension. A search asks for rows where every query word
starts a word of the key; ``procedure_search.rank`` orders what comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Row, literal, select
from sqlalchemy.orm import Session

from queue_server.adapters.database import dialect_insert
from queue_server.adapters.tables import procedure_vocabulary, procedures
from queue_server.dossiers.procedure_search import VocabularyEntry
from queue_server.dossiers.procedures import Procedure
from queue_server.text import fold

SEARCH_KEY_MAX = 1200


class ProcedureStore(Protocol):
    """What the catalogue use cases ask of storage (``ProcedureRepository``, or a fake)."""

    def upsert(self, site_id: int, catalogue: Sequence[Procedure]) -> None: ...

    def search(self, site_id: int, words: Sequence[str]) -> list[Procedure]: ...

    def find(self, site_id: int, code: str) -> Procedure | None: ...

    def vocabulary(self, site_id: int) -> list[VocabularyEntry]: ...

    def save_vocabulary_entry(self, site_id: int, entry: VocabularyEntry) -> None: ...


class ProcedureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, site_id: int, catalogue: Sequence[Procedure]) -> None:
        """Insert or update by code, the whole catalogue in one statement."""
        if not catalogue:
            return
        rows = [
            {
                "site_id": site_id,
                "code": p.code,
                "name": p.name,
                "search_key": p.search_key[:SEARCH_KEY_MAX],
                "field": p.field,
                "level": p.level,
                "agency": p.agency,
                "time_limit": p.time_limit,
                "working_hours": p.working_hours,
                "fees": p.fees,
                "documents": list(p.documents),
                "online_url": p.online_url,
            }
            for p in catalogue
        ]
        statement = dialect_insert(self.session, procedures)
        statement = statement.on_conflict_do_update(
            index_elements=[procedures.c.site_id, procedures.c.code],
            set_={
                name: statement.excluded[name]
                for name in rows[0]
                if name not in ("site_id", "code")
            },
        )
        self.session.execute(statement, rows)

    def search(self, site_id: int, words: Sequence[str]) -> list[Procedure]:
        """The site's procedures where every one of ``words`` (folded) starts a word
        of the search key, by name then code."""
        spaced_key = literal(" ") + procedures.c.search_key
        query = select(procedures).where(procedures.c.site_id == site_id)
        for word in words:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(spaced_key.like(f"% {escaped}%", escape="\\"))
        rows = self.session.execute(query.order_by(procedures.c.name, procedures.c.code))
        return [_procedure(row) for row in rows]

    def find(self, site_id: int, code: str) -> Procedure | None:
        query = select(procedures).where(
            procedures.c.site_id == site_id, procedures.c.code == code
        )
        row = self.session.execute(query).first()
        return None if row is None else _procedure(row)

    def vocabulary(self, site_id: int) -> list[VocabularyEntry]:
        """The centre's own entries, by phrase."""
        query = (
            select(procedure_vocabulary.c.phrase, procedure_vocabulary.c.target)
            .where(procedure_vocabulary.c.site_id == site_id)
            .order_by(procedure_vocabulary.c.phrase_key)
        )
        return [VocabularyEntry(row.phrase, row.target) for row in self.session.execute(query)]

    def save_vocabulary_entry(self, site_id: int, entry: VocabularyEntry) -> None:
        """Add the entry, or point an existing phrase (folded) at a new target."""
        statement = dialect_insert(self.session, procedure_vocabulary).values(
            site_id=site_id, phrase_key=fold(entry.phrase), phrase=entry.phrase, target=entry.target
        )
        statement = statement.on_conflict_do_update(
            index_elements=[procedure_vocabulary.c.site_id, procedure_vocabulary.c.phrase_key],
            set_={"phrase": statement.excluded.phrase, "target": statement.excluded.target},
        )
        self.session.execute(statement)


def _procedure(row: Row[*tuple[object, ...]]) -> Procedure:
    return Procedure(
        code=row.code,
        name=row.name,
        field=row.field,
        level=row.level,
        agency=row.agency,
        time_limit=row.time_limit,
        fees=row.fees,
        documents=tuple(row.documents),
        online_url=row.online_url,
    )
