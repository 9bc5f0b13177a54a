"""A CSV cell a spreadsheet would take for a formula gets the single quote that makes
it text; everything else is written as it is."""

from __future__ import annotations

import pytest

from queue_server.spreadsheet import csv_cell


@pytest.mark.parametrize(
    "text", ["=1+1", "+84 901", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
)
def test_formula_like_text_is_quoted(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["user:=1+1", "Nguyễn Văn An", "", "10.0.0.7", 42, -3, None])
def test_other_values_are_written_as_they_are(value: object) -> None:
    assert csv_cell(value) == value
