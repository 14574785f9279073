"""CSV cells a spreadsheet would evaluate are neutralised (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from app.spreadsheet import neutralise, write_csv
from tests.support.hostile import FORMULAS


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_cells_get_a_leading_quote(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["plain title", "a=b", "", "100", "it's fine", "O'Brien"])
def test_ordinary_text_is_unchanged(cell: str) -> None:
    assert neutralise(cell) == cell


@pytest.mark.parametrize("number", [-5, -1.5, 0, 42])
def test_numbers_stay_numbers(number: float) -> None:
    assert neutralise(number) == number


def test_written_file_reads_back_neutralised() -> None:
    fh = io.StringIO()
    assert write_csv(fh, ["title", "amount"], [[f, -3] for f in FORMULAS]) == len(FORMULAS)
    rows = list(csv.reader(io.StringIO(fh.getvalue())))
    assert rows[0] == ["title", "amount"]
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS]
    assert {r[1] for r in rows[1:]} == {"-3"}
