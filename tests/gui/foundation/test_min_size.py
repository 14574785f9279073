"""At the minimum window size (960x600) no panel clips a label, a button's text or a field's text, and no
table has a column past the right edge of its viewport (seen only by scrolling sideways)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QLabel, QLineEdit, QTableView, QWidget
from pytestqt.qtbot import QtBot

from ui.app_runner import create_window
from ui.main_window import panel_specs
from ui.theme import apply_theme

MIN_W, MIN_H = 960, 600


def clipped(root: QWidget) -> list[str]:
    """Visible widgets narrower than their text needs."""
    out = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.window() is not root.window():
            continue
        if isinstance(w, QLabel) and w.text() and not w.wordWrap() and w.pixmap().isNull():
            need = w.minimumSizeHint().width()
            if w.width() + 1 < need:
                out.append(f"label {w.text()[:40]!r}: {w.width()} < {need}")
        elif isinstance(w, QAbstractButton) and w.text():
            need = w.minimumSizeHint().width()
            if w.width() + 1 < need:
                out.append(f"button {w.text()!r}: {w.width()} < {need}")
        elif isinstance(w, QAbstractSpinBox):
            need = w.minimumSizeHint().width()
            if w.width() + 1 < need:
                out.append(f"spin box {w.text()!r}: {w.width()} < {need}")
        elif isinstance(w, QLineEdit) and w.text() and not w.isReadOnly() and w.objectName() != "qt_spinbox_lineedit":
            need = w.fontMetrics().horizontalAdvance(w.text()) + 12  # text plus the frame and text margins
            if w.width() < need:
                out.append(f"field {w.objectName() or w.accessibleName() or w.text()!r}: {w.width()} < {need}")
    return out


def shown_at_minimum_size(qtbot: QtBot, services: Any, title: str) -> Any:
    """The window resized to 960x600 with ``title``'s panel shown, once its first data has been laid out."""
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    window.resize(MIN_W, MIN_H)
    window.show_panel(title)
    qtbot.wait(300)  # layouts settle after the panel's first data arrives
    QApplication.processEvents()
    return window


@pytest.mark.parametrize("title", [s.title for s in panel_specs()])
def test_no_panel_clips_text_at_the_minimum_size(qtbot: QtBot, services: Any, title: str) -> None:
    window = shown_at_minimum_size(qtbot, services, title)
    assert window.width() <= MIN_W + 1 and window.height() <= MIN_H + 1, "the window cannot shrink to 960x600"
    problems = clipped(window.panels[title])
    assert not problems, f"{title} at {MIN_W}x{MIN_H}:\n" + "\n".join(problems)


def columns_outside(root: QWidget) -> list[str]:
    """The visible columns of visible tables that end past their viewport's right edge."""
    out = []
    for table in root.findChildren(QTableView):
        if not table.isVisible() or table.model() is None:
            continue
        header, width = table.horizontalHeader(), table.viewport().width()
        for col in range(header.count()):
            if not header.isSectionHidden(col) and header.sectionPosition(col) + header.sectionSize(col) > width:
                title = table.model().headerData(col, Qt.Orientation.Horizontal)
                out.append(f"column {title!r} of {table.objectName() or type(table).__name__} ends at "
                           f"{header.sectionPosition(col) + header.sectionSize(col)} > {width}")
    return out


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("title", [s.title for s in panel_specs()])
def test_every_table_column_is_in_view_at_the_minimum_size(qtbot: QtBot, services: Any, qapp: Any, title: str,
                                                          theme: str) -> None:
    apply_theme(qapp, theme)
    try:
        window = shown_at_minimum_size(qtbot, services, title)
        problems = columns_outside(window.panels[title])
    finally:
        apply_theme(qapp, "system")
    assert not problems, f"{title} at {MIN_W}x{MIN_H} ({theme}):\n" + "\n".join(problems)


def test_the_builds_table_keeps_room_for_its_columns_at_the_minimum_size(qtbot: QtBot, services: Any) -> None:
    """The details side's buttons in two rows, not one: one row of five was that side's minimum width and left
    the queue table ~280 px of the window, every one of its nine columns elided to two letters."""
    window = shown_at_minimum_size(qtbot, services, "Builds")
    assert window.height() <= MIN_H + 1, "the window cannot shrink to 960x600"
    table = window.panels["Builds"].table
    assert table.width() >= 0.4 * window.width(), f"the builds table is {table.width()} px of {window.width()}"
