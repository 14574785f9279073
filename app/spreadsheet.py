"""CSV that a spreadsheet opens safely: cells it would evaluate as formulas are neutralised.

OWASP "CSV Injection": a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
taken for a formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, ``@SUM(...)``, DDE).
Such text cells get a leading single quote, which those programs show as text and do not evaluate;
numbers are written as numbers (a negative amount stays a number). Every CSV export writes through
:func:`write_csv`, so the rule lives here only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The cell as a spreadsheet should store it: text that would start a formula is prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_csv(fh: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a header and the rows (each in header order), neutralised; returns the number of rows."""
    writer = csv.writer(fh)
    writer.writerow([neutralise(h) for h in header])
    n = 0
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        n += 1
    return n
