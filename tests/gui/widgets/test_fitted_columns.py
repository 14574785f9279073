"""ui/widgets/fitted_columns.py: a table's columns stay inside its viewport, on a real QTableView."""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from ui.widgets.fitted_columns import FLOOR, fit_columns, fitted


def _ends(view: QTableView) -> int:
    header = view.horizontalHeader()
    return max(header.sectionPosition(c) + header.sectionSize(c) for c in range(header.count()))


def _table(qtbot: QtBot, width: int) -> QTableView:
    view = QTableView()
    view.setModel(QStandardItemModel(3, 4))
    qtbot.addWidget(view)
    view.resize(width, 200)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_room_to_spare_goes_to_the_stretch_column() -> None:
    assert fitted([100, 50, 80], [40, 40, 40], 300, 1) == [100, 120, 80]


def test_short_of_room_each_column_gives_the_same_share_beyond_its_minimum() -> None:
    assert fitted([140, 60], [100, 40], 170, 1) == [120, 50]


def test_shorter_still_no_column_goes_below_the_floor_while_the_floors_fit() -> None:
    widths = fitted([300, 40, 40], [200, 40, 40], 200, 0)
    assert sum(widths) <= 200 and min(widths) >= FLOOR


def test_a_narrow_table_shows_every_column_and_a_wide_one_its_preferred_widths(qtbot: QtBot) -> None:
    view = _table(qtbot, 260)
    fit_columns(view, (150, 120, 100, 100))
    assert _ends(view) <= view.viewport().width()
    view.resize(900, 200)
    qtbot.waitUntil(lambda: view.horizontalHeader().sectionSize(0) == 150)
    assert [view.horizontalHeader().sectionSize(c) for c in range(3)] == [150, 120, 100]
    assert _ends(view) == view.viewport().width()  # the last column takes the rest


def test_a_column_the_user_widens_keeps_its_width(qtbot: QtBot) -> None:
    view = _table(qtbot, 900)
    fit_columns(view, (150, 120, 100, 100))
    view.horizontalHeader().resizeSection(1, 200)  # as a drag of the section's edge does
    view.resize(901, 200)
    qtbot.waitUntil(lambda: _ends(view) == view.viewport().width())
    assert view.horizontalHeader().sectionSize(1) == 200
