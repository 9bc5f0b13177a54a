"""Import files are capped before they are parsed, and a refusal lists at most 100 rows."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from import_files import million_row_sheet

from queue_server.dossiers.connectors import file_import
from queue_server.dossiers.errors import LISTED_PROBLEMS, ImportRejected, ImportTooLarge
from queue_server.dossiers.procedures import parse_catalogue


def _never_opened(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("openpyxl opened a file that is over the caps")


def test_a_million_row_sheet_is_refused_before_openpyxl_opens_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a ~200 KB sheet of 1,000,000 rows WHEN it is read THEN 413, unopened."""
    monkeypatch.setattr(openpyxl, "load_workbook", _never_opened)  # imported when used
    data = million_row_sheet()
    assert len(data) < 1 << 20  # it fits the request size limit
    with pytest.raises(ImportTooLarge) as refused:
        file_import.read_xlsx(data)
    assert refused.value.status == 413
    assert refused.value.code == "import_too_large"
    assert "50,000 rows" in refused.value.message
    assert "50,000 dòng" in refused.value.message_vi


def test_a_zip_that_unpacks_past_the_cap_is_refused_unopened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(openpyxl, "load_workbook", _never_opened)  # imported when used
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (file_import.MAX_UNPACKED_BYTES + 1))
    with pytest.raises(ImportTooLarge):
        file_import.read_xlsx(out.getvalue())


def test_rows_up_to_the_cap_are_read_and_one_more_is_refused() -> None:
    assert len(file_import.read_xlsx(million_row_sheet(file_import.MAX_ROWS))) == 50_000
    with pytest.raises(ImportTooLarge):
        file_import.read_xlsx(million_row_sheet(file_import.MAX_ROWS + 1))
    csv = b"MaHoSo\n" + b"x\n" * file_import.MAX_ROWS
    assert len(file_import.read_csv(csv)) == 50_000
    with pytest.raises(ImportTooLarge):
        file_import.read_csv(csv + b"x\n")


def test_row_tags_split_across_read_blocks_are_counted_once() -> None:
    """Rows are counted in 1 MB blocks; a tag cut by a block edge still counts once."""
    for rows in (37_449, 37_450, 37_451, 80_000):  # ~28 bytes a row: tags land on every edge
        with zipfile.ZipFile(io.BytesIO(million_row_sheet(rows))) as archive:
            part = archive.getinfo("xl/worksheets/sheet1.xml")
            assert file_import._count_rows(archive, part) == rows + 1


def test_a_catalogue_over_the_row_cap_is_refused() -> None:
    with pytest.raises(ImportTooLarge):
        parse_catalogue(b"[" + b"{}," * file_import.MAX_ROWS + b"{}]", "json")


def test_a_catalogue_nested_past_pythons_stack_is_refused_not_a_crash() -> None:
    with pytest.raises(ImportRejected, match="JSON list of procedures"):
        parse_catalogue(b"[" * 100_000 + b"]" * 100_000, "json")


def test_a_refusal_lists_the_first_100_problems_and_counts_the_rest() -> None:
    problems: list[dict[str, object]] = [{"row": n} for n in range(2, 100_002)]
    refused = ImportRejected(problems)
    assert refused.problems == problems[:LISTED_PROBLEMS]
    assert refused.unlisted == 99_900
    assert "100000 rows are not valid" in refused.message
    assert "99900 dòng khác" in refused.message_vi
    assert ImportRejected(problems[:3]).unlisted == 0
