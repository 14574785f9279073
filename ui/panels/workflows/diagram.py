"""A painted step diagram: one box per step, arrows between, undo actions beside, run status colours."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.colors import Tone, tone_color
from ui.panels.workflows.models import STATUS_COLORS

if TYPE_CHECKING:
    from app.jsonvalue import JsonObject

BOX_H = 46
GAP = 26
MARGIN = 10


class StepDiagram(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._steps: list[JsonObject] = []
        self._status: dict[str, str] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(200)

    def set_steps(self, steps: list[JsonObject], status: dict[str, str] | None = None) -> None:
        """``steps``: the definition's raw step dicts; ``status``: step name -> status of a run."""
        self._steps = steps
        self._status = status or {}
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def set_status(self, status: dict[str, str]) -> None:
        self._status = status
        self.update()

    def sizeHint(self) -> QSize:
        n = len(self._steps)
        return QSize(360, MARGIN * 2 + max(n, 1) * BOX_H + max(n - 1, 0) * GAP)

    def box_texts(self) -> list[str]:
        """What each box says (also used by tests)."""
        out = []
        for s in self._steps:
            notes = []
            if s.get("condition"):
                notes.append(f"if {s['condition']}")
            retry = s.get("retry")
            attempts = retry.get("max_attempts", 1) if isinstance(retry, dict) else 1
            if isinstance(attempts, int) and attempts > 1:  # the definition's schema makes it an integer
                notes.append(f"retry x{attempts}")
            if s.get("timeout"):
                notes.append(f"timeout {s['timeout']}s")
            out.append(f"{s['name']}  [{s['action']}]" + (f"\n{'; '.join(notes)}" if notes else ""))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text_color = pal.color(QPalette.ColorRole.Text)
        base = pal.color(QPalette.ColorRole.Base)
        width = self.width() - 2 * MARGIN
        box_w = int(min(max(width * 0.55, 150), 230))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        for i, (step, text) in enumerate(zip(self._steps, self.box_texts(), strict=True)):
            top = MARGIN + i * (BOX_H + GAP)
            rect = QRectF(MARGIN, top, box_w, BOX_H)
            status = self._status.get(str(step["name"]))
            border = tone_color(STATUS_COLORS.get(status or "", Tone.MUTED))
            fill = QColor(border)
            fill.setAlpha(40 if status else 18)
            p.setPen(QPen(border, 2))
            p.setBrush(fill if status else base)
            p.drawRoundedRect(rect, 6, 6)
            p.setPen(text_color)
            _, _, notes = text.partition("\n")
            inner = int(rect.width()) - 16
            bold = QFont(self.font())
            bold.setBold(True)
            p.setFont(bold)
            head = QFontMetrics(bold).elidedText(f"{i + 1}. {step['name']}", Qt.TextElideMode.ElideRight, inner)
            p.drawText(rect.adjusted(8, 4, -8, -BOX_H / 2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, head)
            p.setFont(small)
            parts = [str(step["action"])]
            if status:
                parts.append(status.replace("_", " "))
            if notes:
                parts.append(notes)
            sub = QFontMetrics(small).elidedText(" · ".join(parts), Qt.TextElideMode.ElideRight, inner)
            p.drawText(rect.adjusted(8, BOX_H / 2, -8, -4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, sub)
            p.setFont(self.font())
            comp = step.get("compensation")
            if isinstance(comp, dict) and comp:  # the definition's schema makes it an object
                x0 = MARGIN + box_w
                y = top + BOX_H / 2
                p.setPen(QPen(tone_color(Tone.SPECIAL), 1, Qt.PenStyle.DashLine))
                p.drawLine(QPointF(x0, y), QPointF(x0 + 14, y))
                undo_w = int(width - box_w - 18)
                undo = QFontMetrics(self.font()).elidedText(f"undo: {comp['action']}", Qt.TextElideMode.ElideMiddle, undo_w)
                p.drawText(QRectF(x0 + 18, top, undo_w, BOX_H), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, undo)
            if i < len(self._steps) - 1:
                x = MARGIN + box_w / 2
                y1, y2 = top + BOX_H, top + BOX_H + GAP
                p.setPen(QPen(text_color, 1.5))
                p.drawLine(QPointF(x, y1 + 2), QPointF(x, y2 - 4))
                p.setBrush(text_color)
                p.drawPolygon(QPolygonF([QPointF(x - 5, y2 - 9), QPointF(x + 5, y2 - 9), QPointF(x, y2 - 2)]))
        p.end()
