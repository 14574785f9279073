"""A percentage drawn as the style's progress bar: one option builder for the builds table's
delegate and the details strip, and a strip that repaints with the window's next paint.

``QProgressBar.setValue`` repaints at once (synchronously, through the window's backing store)
whenever the value moves by a percent: ~10 ms of the GUI thread per call, on each progress signal
of the selected build. :class:`ProgressStrip` asks for an update instead, which Qt coalesces.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QStyle, QStyleOptionProgressBar, QWidget


def progress_option(rect: QRect, percent: float) -> QStyleOptionProgressBar:
    """The style option of a horizontal 0-100 bar at ``percent``, its text the rounded percentage."""
    bar = QStyleOptionProgressBar()
    bar.rect = QRect(rect)
    bar.minimum = 0
    bar.maximum = 100
    bar.progress = max(0, min(100, int(percent)))
    bar.text = f"{percent:.0f}%"
    bar.textVisible = True
    bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
    return bar


class ProgressStrip(QWidget):
    """A 0-100 progress bar whose :meth:`setValue` schedules a repaint instead of painting."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:  # the QProgressBar name, so callers read the same
        value = max(0, min(100, value))
        if value != self._value:
            self._value = value
            self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        option = progress_option(self.rect(), self._value)
        return self.style().sizeFromContents(QStyle.ContentsType.CT_ProgressBar, option,
                                             QSize(fm.horizontalAdvance("0") * 4 + 63, fm.height() + 8), self)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("100%") + 16, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        option = progress_option(self.rect(), self._value)
        option.initFrom(self)
        option.state |= QStyle.StateFlag.State_Horizontal
        self.style().drawControl(QStyle.ControlElement.CE_ProgressBar, option, painter, self)
        painter.end()
