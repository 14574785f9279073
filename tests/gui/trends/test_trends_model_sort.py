"""The trends table sorts in its model: one key per row, no data() call per comparison."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from services.bootstrap import Services
from ui.panels.trends.models import COL_SCORE, COL_TITLE, ID_ROLE, TrendsTableModel
from ui.panels.trends_panel import TrendsPanel


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"id": f"t{i}", "title": f"Trend {(i * 7919) % n:04d}", "score": float((i * 31) % 97), "tag": "steady",
             "volume": float(i), "sources": ["reddit"], "momentum": {}, "series": [1.0, 2.0]} for i in range(n)]


def _data_calls_during(fn: Any) -> int:
    calls = 0
    target = TrendsTableModel.data.__code__

    def prof(frame: FrameType, event: str, _arg: object) -> None:
        nonlocal calls
        if event == "call" and frame.f_code is target:
            calls += 1

    sys.setprofile(prof)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return calls


def test_a_reload_of_the_panel_sorts_without_asking_data_per_comparison(qtbot: Any, services: Services) -> None:
    panel = TrendsPanel(services)  # not shown: nothing is painted, so every data() call is the sort's
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not panel._reads.busy, timeout=5000)
    rows = _rows(500)
    calls = _data_calls_during(lambda: panel.model.set_rows(rows))
    shown = panel.table.model()
    assert shown.rowCount() == 500
    assert calls < 500  # a sort proxy asked about 10 a row
    scores = [float(shown.index(r, COL_SCORE).data()) for r in range(500)]
    assert scores == sorted(scores, reverse=True)


def test_sorting_by_a_column_orders_the_rows_and_keeps_the_current_row(qtbot: Any, qtmodeltester: Any) -> None:
    model = TrendsTableModel()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(COL_SCORE, Qt.SortOrder.DescendingOrder)
    model.set_rows(_rows(50))
    view.setCurrentIndex(model.index(7, 0))
    chosen = view.currentIndex().data(ID_ROLE)
    view.sortByColumn(COL_TITLE, Qt.SortOrder.AscendingOrder)
    titles = [model.index(r, COL_TITLE).data() for r in range(50)]
    assert titles == sorted(titles)
    assert view.currentIndex().data(ID_ROLE) == chosen
    qtmodeltester.check(model)
