"""At the minimum window size (960x600) no panel clips a label, a button's text or a field's text."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ui.app_runner import create_window
from ui.main_window import panel_specs

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


@pytest.mark.parametrize("title", [s.title for s in panel_specs()])
def test_no_panel_clips_text_at_the_minimum_size(qtbot: QtBot, services: Any, title: str) -> None:
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    window.resize(MIN_W, MIN_H)
    window.show_panel(title)
    qtbot.wait(300)  # layouts settle after the panel's first data arrives
    QApplication.processEvents()
    assert window.width() <= MIN_W + 1 and window.height() <= MIN_H + 1, "the window cannot shrink to 960x600"
    problems = clipped(window.panels[title])
    assert not problems, f"{title} at {MIN_W}x{MIN_H}:\n" + "\n".join(problems)
