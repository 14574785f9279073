"""A small line of daily figures drawn in the palette's highlight colour (no chart library)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget


class Sparkline(QWidget):
    def __init__(self, values: Sequence[int] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: tuple[int, ...] = tuple(values)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(80)

    def sizeHint(self) -> QSize:
        return QSize(160, 28)

    def set_values(self, values: Sequence[int]) -> None:
        self.values = tuple(values)
        self.update()

    def points(self) -> list[QPointF]:
        """Where each day's figure is drawn: left to right, highest at the top."""
        if not self.values:
            return []
        lo, hi = min(self.values), max(self.values)
        span = (hi - lo) or 1
        w, h = max(1, self.width() - 4), max(1, self.height() - 4)
        step = w / max(1, len(self.values) - 1)
        return [QPointF(2 + i * step, 2 + h - (v - lo) / span * h) for i, v in enumerate(self.values)]

    def paintEvent(self, _event: QPaintEvent) -> None:
        pts = self.points()
        if len(pts) < 2:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawPolyline(QPolygonF(pts))
        painter.end()
