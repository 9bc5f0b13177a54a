"""The procedure catalogue (thủ tục hành chính, TTHC), read from JSON or XLSX.

Rows come from the national database of procedures or a province's export, with
English keys (``code``, ``name``...) or the Vietnamese ones those exports use
(``MaTTHC``, ``TenTTHC``...). Reading is all-or-nothing like the dossier import:
every bad row is reported by number, nothing is kept if any is bad.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from queue_server.dossiers.connectors.file_import import Row, capped, read_xlsx
from queue_server.dossiers.connectors.mapping import RowProblem
from queue_server.dossiers.errors import ImportRejected
from queue_server.text import fold_words, nfc

# 1.002835 (national) or 1.002835.000.00.00.H56 (as a province publishes it).
CODE = re.compile(r"^\d\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]{3})?$")
_DAYS = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ngày|day)", re.IGNORECASE)
KEYS: dict[str, tuple[str, ...]] = {
    "code": ("code", "MaTTHC", "MaThuTuc"),
    "name": ("name", "TenTTHC", "TenThuTuc"),
    "field": ("field", "LinhVuc"),
    "level": ("level", "MucDo", "MucDoDVC"),
    "agency": ("agency", "CoQuanThucHien"),
    "time_limit": ("time_limit", "ThoiHanGiaiQuyet"),
    "fees": ("fees", "PhiLePhi"),
    "documents": ("documents", "ThanhPhanHoSo"),
    "online_url": ("online_url", "DuongDanDVC", "url"),
}
LIMITS = {
    "name": 1000,
    "field": 300,
    "level": 60,
    "agency": 300,
    "time_limit": 300,
    "online_url": 500,
}


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str = ""
    level: str = ""
    agency: str = ""
    time_limit: str = ""
    fees: str = ""
    documents: tuple[str, ...] = ()
    online_url: str = ""

    @property
    def working_hours(self) -> int | None:
        """The time limit in working hours (8 a day) when it is stated in days."""
        match = _DAYS.search(self.time_limit)
        return round(float(match.group(1).replace(",", ".")) * 8) if match else None

    @functools.cached_property
    def name_words(self) -> tuple[str, ...]:
        """The name's folded words (cached: ranking reads them for every candidate)."""
        return tuple(fold_words(self.name))

    @functools.cached_property
    def search_key(self) -> str:
        """The folded words of name, code and field, one space apart: search matches
        query words against the starts of these words."""
        return " ".join((*self.name_words, *fold_words(f"{self.code} {self.field}")))


def _pick(row: Mapping[str, Any], name: str) -> Any:
    return next((row[k] for k in KEYS[name] if row.get(k) not in (None, "")), None)


def _text(row: Mapping[str, Any], name: str) -> str:
    value = _pick(row, name)
    text = "" if value is None else nfc(str(value)).strip()
    if len(text) > LIMITS.get(name, 10_000):
        raise RowProblem(
            name, f"longer than {LIMITS[name]} characters", f"dài quá {LIMITS[name]} ký tự"
        )
    return text


def _documents(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else re.split(r"[\n;]+", str(value))
    return tuple(nfc(str(item)).strip() for item in items if str(item).strip())


def to_procedure(row: Mapping[str, Any]) -> Procedure:
    code = _text(row, "code")
    if not CODE.match(code):
        raise RowProblem(
            "code",
            "a procedure code looks like 1.002835.000.00.00.H56",
            "mã thủ tục có dạng 1.002835.000.00.00.H56",
        )
    name = _text(row, "name")
    if not name:
        raise RowProblem("name", "the name is missing", "thiếu tên thủ tục")
    url = _text(row, "online_url")
    if url and not url.startswith(("http://", "https://")):
        raise RowProblem(
            "online_url",
            "must start with http:// or https://",
            "phải bắt đầu bằng http:// hoặc https://",
        )
    return Procedure(
        code=code,
        name=name,
        field=_text(row, "field"),
        level=_text(row, "level"),
        agency=_text(row, "agency"),
        time_limit=_text(row, "time_limit"),
        fees=_text(row, "fees"),
        documents=_documents(_pick(row, "documents")),
        online_url=url,
    )


def read_procedures(rows: Iterable[Row]) -> list[Procedure]:
    """Every row as a procedure, or :class:`ImportRejected` listing each bad row."""
    procedures: list[Procedure] = []
    problems: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        try:
            procedure = to_procedure(row)
        except RowProblem as problem:
            problems.append(_report(number, problem))
            continue
        if procedure.code in seen:
            first = seen[procedure.code]
            problems.append(
                _report(number, RowProblem("code", f"repeats row {first}", f"trùng dòng {first}"))
            )
            continue
        seen[procedure.code] = number
        procedures.append(procedure)
    if problems:
        raise ImportRejected(problems)
    return procedures


def _report(number: int, problem: RowProblem) -> dict[str, object]:
    return {
        "row": number,
        "field": problem.field,
        "problem": problem.problem,
        "problem_vi": problem.problem_vi,
    }


def parse_catalogue(data: bytes, kind: str) -> list[Procedure]:
    """A JSON list of objects (or ``{"procedures": [...]}``) or an XLSX sheet."""
    if kind == "xlsx":
        return read_procedures(read_xlsx(data))
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested beyond Python's stack
        document = None
    if isinstance(document, dict):
        document = document.get("procedures")
    if not isinstance(document, list) or not all(isinstance(d, dict) for d in document):
        raise ImportRejected(
            [],
            'Send a JSON list of procedures (or {"procedures": [...]}) or an XLSX file.',
            'Hãy gửi danh sách thủ tục dạng JSON (hoặc {"procedures": [...]}) hoặc tệp XLSX.',
        )
    return read_procedures(enumerate(capped(document), start=1))
