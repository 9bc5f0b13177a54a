"""Text from people (user names, service names, forwarded addresses) written into a
file a spreadsheet opens is read as text, never as a formula.

A cell starting with ``=``, ``+``, ``-`` or ``@`` — or a tab or carriage return,
which some spreadsheets skip before looking — is taken as a formula by Excel and
LibreOffice, and ``=HYPERLINK(...)`` or ``=cmd|...`` in a user name would then run
on a supervisor's PC. The XLSX reports store such a cell as quote-prefixed text; a
CSV has no cell types, so it gets the single quote itself (OWASP, "CSV Injection").
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def reads_as_formula(value: Any) -> bool:
    """Whether a spreadsheet would take ``value`` for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: formula-like text behind a single quote, the rest as is."""
    return f"'{value}" if reads_as_formula(value) else value
