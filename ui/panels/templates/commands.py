"""Undoable panel actions (QUndoStack commands) over the service's soft delete and archive.

A command is pushed once its first run has committed (so a refused delete leaves nothing to
undo); undo and redo hand their service call to the panel's background writer, like any write.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from app.templates.model import TemplateInfo
from services.templates.service import TemplatesService

ServiceCall = Callable[[], TemplateInfo]
Write = Callable[[ServiceCall], None]  # runs one service call off the GUI thread (the panel's run_write)


class _ServiceCommand(QUndoCommand):
    def __init__(self, text: str, do: ServiceCall, undo: ServiceCall, write: Write) -> None:
        super().__init__(text)
        self._do = do
        self._undo = undo
        self._write = write
        self._done_before_push = True

    def redo(self) -> None:
        if self._done_before_push:  # QUndoStack.push calls redo: the write has already committed
            self._done_before_push = False
            return
        self._write(self._do)

    def undo(self) -> None:
        self._write(self._undo)


def delete(svc: TemplatesService, template_id: str) -> tuple[ServiceCall, ServiceCall]:
    """Delete is a soft delete, so undo is a restore (the package never left the store)."""
    return (lambda: svc.delete(template_id)), (lambda: svc.restore(template_id))


def archive(svc: TemplatesService, template_id: str, archive: bool) -> tuple[ServiceCall, ServiceCall]:
    do, undo = (lambda: svc.archive(template_id)), (lambda: svc.unarchive(template_id))
    return (do, undo) if archive else (undo, do)


def undoable(text: str, calls: tuple[ServiceCall, ServiceCall], write: Write) -> QUndoCommand:
    """The command to push after ``calls[0]`` has committed; its undo runs ``calls[1]``."""
    return _ServiceCommand(text, calls[0], calls[1], write)
