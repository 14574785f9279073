"""Ctrl+K: find a template, trend, build, run or payment by name or id prefix, and open it.

Each keystroke (debounced) runs ``HomeService.find`` off the GUI thread; Up/Down move in the
results, Enter opens the current one in its panel with it selected, Escape closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.home.model import ItemRef, SearchHit
from ui.background import run_in_background

if TYPE_CHECKING:
    from services.bootstrap import Services

DEBOUNCE_MS = 150
REF_ROLE = Qt.ItemDataRole.UserRole


class QuickSwitcher(QDialog):
    chosen = Signal(object)  # ItemRef
    searched = Signal(str)  # the text whose results are shown

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Go to")
        self.resize(560, 360)
        self.svc = services.home
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Name or id prefix of a template, trend, build, run or payment")
        self.edit.setAccessibleName("Search")
        self.results = QListWidget()
        self.results.setAccessibleName("Results")
        self.hint = QLabel("Enter opens · Esc closes")
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        self._generation = 0
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self.edit.textChanged.connect(lambda _t: self._timer.start())
        self.edit.returnPressed.connect(self._open_current)
        self.edit.installEventFilter(self)
        self.results.itemActivated.connect(self._on_results_item_activated)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up and Down in the search field move in the results."""
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None and self.results.count():
                self.results.setCurrentRow(max(0, min(self.results.count() - 1, self.results.currentRow() + step)))
                return True
        return super().eventFilter(watched, event)

    def _search(self) -> None:
        self._generation += 1
        gen, text = self._generation, self.edit.text()
        run_in_background(lambda: self.svc.find(text), lambda hits: self._show(gen, text, hits),
                          lambda exc: self._show_error(gen, exc), self)

    def _show(self, gen: int, text: str, hits: list[SearchHit]) -> None:
        if gen != self._generation:
            return
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(hit.label)
            item.setData(REF_ROLE, hit.ref)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
        self.hint.setText(f"{len(hits)} found · Enter opens · Esc closes" if text.strip() else "Enter opens · Esc closes")
        self.searched.emit(text)

    def _show_error(self, gen: int, exc: Exception) -> None:
        if gen == self._generation:
            self.hint.setText(str(exc))

    def _open_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._on_results_item_activated(item)

    def _on_results_item_activated(self, item: QListWidgetItem) -> None:
        ref = item.data(REF_ROLE)
        if isinstance(ref, ItemRef):
            self.chosen.emit(ref)
            self.accept()
