"""sync_rows edits a model's rows into a new list through row signals, neighbouring rows in one signal."""

from __future__ import annotations

import random
from typing import Any

import pytest
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ui.widgets.keyed_rows import sync_rows

Index = QModelIndex | QPersistentModelIndex


class Pairs(QAbstractTableModel):
    """(key, value) rows, two columns."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, str]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return str(self.rows[index.row()][index.column()])
        return None

    def take(self, new: list[tuple[int, str]]) -> None:
        sync_rows(self, self.rows, new, key=lambda r: r[0])


def signals(model: Pairs) -> list[tuple[str, int, int]]:
    seen: list[tuple[str, int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: seen.append(("inserted", first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: seen.append(("removed", first, last)))
    model.dataChanged.connect(lambda top, _bottom, *_: seen.append(("changed", top.row(), top.row())))
    return seen


def test_filling_an_empty_table_with_a_page_is_one_insert() -> None:
    model = Pairs()
    seen = signals(model)
    model.take([(k, "v") for k in range(1000)])
    assert seen == [("inserted", 0, 999)]
    assert model.rowCount() == 1000


def test_replacing_every_row_is_one_removal_and_one_insert() -> None:
    model = Pairs()
    model.take([(k, "v") for k in range(1000)])
    seen = signals(model)
    model.take([(k, "w") for k in range(1000, 1500)])
    assert seen == [("removed", 0, 999), ("inserted", 0, 499)]


def test_rows_that_stay_keep_their_place_between_the_runs_that_come_and_go() -> None:
    model = Pairs()
    model.take([(k, "v") for k in range(6)])
    seen = signals(model)
    model.take([(10, "n"), (11, "n"), (0, "v"), (3, "changed"), (12, "n")])
    assert seen == [("removed", 4, 5), ("removed", 1, 2), ("inserted", 0, 1), ("changed", 3, 3), ("inserted", 4, 4)]
    assert model.rows == [(10, "n"), (11, "n"), (0, "v"), (3, "changed"), (12, "n")]


@pytest.mark.parametrize("seed", range(30))
def test_any_edit_ends_with_the_new_list_and_a_consistent_model(qtmodeltester: Any, seed: int) -> None:
    rng = random.Random(seed)
    model = Pairs()
    model.take([(k, "v") for k in rng.sample(range(40), rng.randint(0, 20))])
    qtmodeltester.check(model)
    new = [(k, rng.choice("vw")) for k in rng.sample(range(40), rng.randint(0, 20))]
    model.take(new)
    assert model.rows == new
    qtmodeltester.check(model)
