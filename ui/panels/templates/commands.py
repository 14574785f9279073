"""Undoable panel actions (QUndoStack commands) over the service's soft delete and archive."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from app.errors import TrendForgeError
from services.templates.service import TemplatesService


class _ServiceCommand(QUndoCommand):
    def __init__(self, text: str, do: Callable[[], object], undo: Callable[[], object],
                 on_error: Callable[[Exception], None]) -> None:
        super().__init__(text)
        self._do = do
        self._undo = undo
        self._on_error = on_error
        self.failed = False

    def redo(self) -> None:
        try:
            self._do()
            self.failed = False
        except TrendForgeError as exc:
            self.failed = True
            self.setObsolete(True)
            self._on_error(exc)

    def undo(self) -> None:
        try:
            self._undo()
        except TrendForgeError as exc:
            self._on_error(exc)


def delete_command(svc: TemplatesService, template_id: str, title: str,
                   on_error: Callable[[Exception], None]) -> QUndoCommand:
    """Delete is a soft delete, so undo is a restore (the package never left the store)."""
    return _ServiceCommand(f"Delete “{title}”", lambda: svc.delete(template_id),
                           lambda: svc.restore(template_id), on_error)


def archive_command(svc: TemplatesService, template_id: str, title: str, archive: bool,
                    on_error: Callable[[Exception], None]) -> QUndoCommand:
    if archive:
        return _ServiceCommand(f"Archive “{title}”", lambda: svc.archive(template_id),
                               lambda: svc.unarchive(template_id), on_error)
    return _ServiceCommand(f"Unarchive “{title}”", lambda: svc.unarchive(template_id),
                           lambda: svc.archive(template_id), on_error)
