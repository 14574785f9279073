"""A live log view that stays responsive under a flood: bounded blocks, batched appends, search, follow-tail."""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class LogView(QWidget):
    """Lines arrive via :meth:`append_lines` (any rate); they reach the widget at most every
    ``flush_ms`` in one append of at most ``batch_lines`` lines. When output outruns that (a flood),
    only the newest lines are shown and the skipped ones are counted: the full text is always in
    the build's log file. The document keeps the last ``max_lines`` lines."""

    flushed = Signal(int)

    # 200 lines a flush: appending to a full document costs ~30 us a line (it drops as many from the
    # top), so 400 was a 12-30 ms edit ten times a second while a build streamed; 2,000 lines a
    # second is still more than anyone reads, and the log file has every line
    def __init__(self, max_lines: int = 5000, flush_ms: int = 100, batch_lines: int = 200,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self.batch_lines = batch_lines
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(max_lines)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setUndoRedoEnabled(False)
        # three lines and the sideways scroll bar at the least (Qt's default minimum is taller), so the Builds
        # panel's details keep their two rows of buttons at 960x600
        self.text.setMinimumHeight(3 * self.text.fontMetrics().lineSpacing() + 2 * self.text.frameWidth()
                                   + self.text.horizontalScrollBar().sizeHint().height())
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the log (Enter: next match)")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.find_next)
        self.find_button = QPushButton("Find")
        self.find_button.clicked.connect(self.find_next)
        self.follow = QCheckBox("Follow tail")
        self.follow.setChecked(True)
        self.follow.toggled.connect(self._on_follow_toggled)
        self.dropped_label = QLabel("")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.find_button)
        bar.addWidget(self.follow)
        bar.addWidget(self.dropped_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.text, 1)
        self._pending: deque[str] = deque(maxlen=batch_lines)
        self._dropped = 0
        self._timer = QTimer(self)
        self._timer.setInterval(flush_ms)
        self._timer.timeout.connect(self.flush)
        self.text.verticalScrollBar().valueChanged.connect(self._on_scroll)

    def append_lines(self, lines: list[str]) -> None:
        overflow = len(self._pending) + len(lines) - self.batch_lines
        if overflow > 0:
            self._dropped += overflow
        self._pending.extend(lines)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        if not self._pending:
            self._timer.stop()
            return
        batch = "\n".join(self._pending)
        count = len(self._pending)
        self._pending.clear()
        bar = self.text.verticalScrollBar()
        keep = bar.value()
        self.text.appendPlainText(batch)
        if self.follow.isChecked():
            bar.setValue(bar.maximum())
        else:
            bar.setValue(keep)
        if self._dropped:
            self.dropped_label.setText(f"{self._dropped} lines skipped (all in the log file)")
        self.flushed.emit(count)

    def set_text(self, lines: list[str]) -> None:
        self._pending.clear()
        self._dropped = 0
        self.dropped_label.setText("")
        self.text.setPlainText("\n".join(lines[-self.max_lines :]))
        if self.follow.isChecked():
            self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())

    def clear(self) -> None:
        self.set_text([])

    def line_count(self) -> int:
        return self.text.blockCount()

    def find_next(self) -> bool:
        needle = self.search.text()
        if not needle:
            return False
        self.follow.setChecked(False)
        found = self.text.find(needle)
        if not found:  # wrap around
            self.text.moveCursor(QTextCursor.MoveOperation.Start)
            found = self.text.find(needle, QTextDocument.FindFlag(0))
        return bool(found)

    def _on_follow_toggled(self, on: bool) -> None:
        if on:
            self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())

    def _on_scroll(self, value: int) -> None:
        # scrolling up by hand stops following; scrolling to the end resumes
        bar = self.text.verticalScrollBar()
        at_end = value >= bar.maximum() - 2
        if self.follow.isChecked() != at_end and self.text.hasFocus():
            self.follow.setChecked(at_end)
