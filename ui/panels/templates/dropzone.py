"""A drop target for template packages that shows clearly when something is dragged over it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ui.colors import Tone, tone_color, tone_hex


def idle_style() -> str:
    return f"QFrame#dropZone {{ border: 2px dashed {tone_hex(Tone.MUTED)}; border-radius: 8px; background: transparent; }}"


def active_style() -> str:
    accent = tone_color(Tone.ACCENT)
    fill = f"rgba({accent.red()},{accent.green()},{accent.blue()},40)"
    return f"QFrame#dropZone {{ border: 2px solid {accent.name()}; border-radius: 8px; background: {fill}; }}"
IDLE_TEXT = "Drop template folders or .zip files here to import"


def local_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[str]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


class DropZone(QFrame):
    """Emits ``paths_dropped(list[str])`` with the local files/folders dropped on it."""

    paths_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setMinimumHeight(56)
        self.label = QLabel(IDLE_TEXT)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self.dragging = False
        self._set_active(False)

    def _set_active(self, active: bool, count: int = 0) -> None:
        self.dragging = active
        self.setStyleSheet(active_style() if active else idle_style())
        self.label.setText(f"Release to import {count} item{'s' if count != 1 else ''}" if active else IDLE_TEXT)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        paths = local_paths(event)
        if paths:
            event.acceptProposedAction()
            self._set_active(True, len(paths))
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_active(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event)
        self._set_active(False)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.paths_dropped.emit(paths)
