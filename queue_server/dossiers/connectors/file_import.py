"""CSV and XLSX files from the one-stop system, read and checked row by row.

An import is all-or-nothing: :func:`map_rows` returns every problem with the
row number a person sees in the spreadsheet (the header is row 1), and the
caller writes nothing unless there is none.

Files are capped before they are parsed: an XLSX is a zip, and 668 KB of it can
unpack to a million rows, so the unpacked sizes are summed from the zip's
directory first and rows are counted while they are read.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.dossiers.connectors.mapping import FieldMapping, RowProblem
from queue_server.dossiers.errors import ImportRejected, ImportTooLarge
from queue_server.dossiers.record import DossierRecord

Row = tuple[int, dict[str, Any]]
NOT_A_RECORD = RowProblem(
    "row", "is not a record of named fields", "không phải một bản ghi có các trường"
)
FORMATS = ("csv", "xlsx")
#: Rows one import may hold: a district's dossiers for months, well past a day's work.
MAX_ROWS = 50_000
#: Unpacked size of all the parts of an XLSX (50,000 rows of dossiers take ~26 MB).
MAX_UNPACKED_BYTES = 64 << 20

T = TypeVar("T")


def too_large() -> ImportTooLarge:
    return ImportTooLarge(MAX_ROWS, MAX_UNPACKED_BYTES >> 20)


def capped(items: Iterable[T], limit: int = MAX_ROWS) -> Iterator[T]:
    """``items`` unchanged, or :class:`ImportTooLarge` once there are more than ``limit``."""
    for count, item in enumerate(items, start=1):
        if count > limit:
            raise too_large()
        yield item


def _unreadable(kind: str) -> ImportRejected:
    return ImportRejected(
        [],
        f"The file is not a readable {kind.upper()} file with a header row.",
        f"Tệp không phải tệp {kind.upper()} đọc được, có dòng tiêu đề.",
    )


def read_csv(data: bytes) -> list[Row]:
    """Rows of a UTF-8 CSV (Excel's BOM accepted; comma or semicolon separated)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _unreadable("csv") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        if not reader.fieldnames:
            raise _unreadable("csv")
        rows = (
            (number, {k.strip(): v for k, v in row.items() if k is not None})
            for number, row in enumerate(reader, start=2)
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        )
        return list(capped(rows))
    except csv.Error as exc:  # a quote never closed swallows the file into one field
        raise ImportRejected(
            [],
            f"The CSV file cannot be read from line {reader.line_num + 1} ({exc}); "
            "a quotation mark that is never closed does this.",
            f"Không đọc được tệp CSV từ dòng {reader.line_num + 1}: có thể có dấu ngoặc kép "
            "chưa được đóng.",
        ) from None


def read_xlsx(data: bytes) -> list[Row]:
    """Rows of the first sheet; empty rows are skipped, numbers stay the sheet's.

    openpyxl parses the sheet XML with defusedxml, which refuses any DTD: no
    entity expansion ("billion laughs") and no external entity reaches the server.
    """
    check_unpacked_size(data)
    try:
        # Imported here: openpyxl (and numpy under it) is a third of a second of
        # start-up for every command and worker that never reads a workbook.
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _xlsx_refusal(exc) from None
    try:
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        if not header or not any(header):
            raise _unreadable("xlsx")
        names = [str(h).strip() if h is not None else "" for h in header]
        rows = (
            (number, {name: value for name, value in zip(names, values, strict=False) if name})
            for number, values in enumerate(lines, start=2)
            if any(v not in (None, "") for v in values)
        )
        return list(capped(rows))
    except (ParseError, ValueError) as exc:
        raise _xlsx_refusal(exc) from None
    finally:
        book.close()


def _xlsx_refusal(exc: Exception) -> ImportRejected:
    """Why a workbook is refused; openpyxl wraps defusedxml's refusal in a ValueError."""
    if not isinstance(exc, DefusedXmlException) and not isinstance(
        exc.__cause__, DefusedXmlException
    ):
        return _unreadable("xlsx")
    return ImportRejected(
        [],
        "The file declares a DTD (XML entities); spreadsheets never need one. "
        "Save it again from Excel or LibreOffice.",
        "Tệp có khai báo DTD (thực thể XML) mà bảng tính không bao giờ cần. "
        "Hãy lưu lại tệp từ Excel hoặc LibreOffice.",
    )


def check_unpacked_size(data: bytes) -> None:
    """Refuse a zip past the unpacked-size or row cap before openpyxl opens it.

    The sizes are the ones the zip's directory declares; zipfile never reads a
    part past its declared size, so they bound what opening the sheet unpacks.
    Rows are counted as ``<row`` elements in every worksheet part, streamed
    through a regular expression (C speed: a million rows in well under a
    second), because openpyxl reads a sheet without a ``<dimension>`` element
    to its end just to size it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
                raise too_large()
            rows = sum(
                _count_rows(archive, part)
                for part in parts
                if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
            )
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _unreadable("xlsx") from None
    if rows > MAX_ROWS + 1:  # the header row is not a dossier
        raise too_large()


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _count_rows(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    count, tail = 0, b""
    with archive.open(part) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            window = tail + block
            count += len(_ROW_TAG.findall(window))
            # Keep the end of the block, minus anything already counted, for a split tag.
            cut = max(len(window) - 64, 0)
            last = window.rfind(b"<", cut)
            tail = window[last:] if last >= 0 and not _ROW_TAG.match(window, last) else b""
    return count


def read_table(data: bytes, kind: str) -> list[Row]:
    if kind not in FORMATS:
        raise ImportRejected([], "Send a .csv or .xlsx file.", "Hãy gửi tệp .csv hoặc .xlsx.")
    return read_xlsx(data) if kind == "xlsx" else read_csv(data)


def map_rows(
    rows: Iterable[Row], mapping: FieldMapping, calendar: WorkingCalendar | None = None
) -> tuple[list[DossierRecord], list[dict[str, Any]]]:
    """Records, and a problem per bad row (a code repeated in the file is one too)."""
    records: list[DossierRecord] = []
    problems: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for number, row in rows:
        if not isinstance(row, dict):  # an upstream page may hold null or a bare value
            problems.append(report(number, NOT_A_RECORD, mapping))
            continue
        try:
            record = mapping.to_record(row, calendar)
        except RowProblem as problem:
            problems.append(report(number, problem, mapping))
            continue
        seen = first_row.setdefault(str(record.code), number)
        if seen != number:
            problems.append(
                report(
                    number,
                    RowProblem(
                        "code",
                        f"the same dossier code is already on row {seen}",
                        f"mã hồ sơ này đã có ở dòng {seen}",
                    ),
                    mapping,
                )
            )
            continue
        records.append(record)
    return records, problems


def report(number: int, problem: RowProblem, mapping: FieldMapping) -> dict[str, Any]:
    return {
        "row": number,
        "field": problem.field,
        "column": mapping.fields.get(problem.field, problem.field),
        "problem": problem.problem,
        "problem_vi": problem.problem_vi,
    }
