"""Table models of the Workflows panel: definitions, runs, and a run's step timeline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from ui.colors import Tone, tone_brush, tone_color
from ui.widgets.keyed_rows import sync_rows
from ui.widgets.plain_text import tooltip

if TYPE_CHECKING:
    from services.workflows.rows import DefinitionRow, RunRow, StepRow

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R", "RunRow", "StepRow")

STATUS_COLORS = {
    "succeeded": Tone.OK,
    "compensated": Tone.SPECIAL,
    "failed": Tone.ERROR,
    "compensation_failed": Tone.ERROR,
    "running": Tone.INFO,
    "compensating": Tone.SPECIAL,
    "interrupted": Tone.WARNING,
    "cancelled": Tone.MUTED,
    "skipped": Tone.MUTED,
    "pending": Tone.MUTED,
}


def status_brush(status: str) -> QBrush:
    tone = STATUS_COLORS.get(status)
    return tone_brush(tone) if tone else QBrush()


def fmt_duration(value: float | None) -> str:
    if value is None:
        return ""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.1f} min"


def fmt_time(iso: str | None) -> str:
    if not iso:
        return ""
    return iso.replace("T", " ")[:19]


class DefinitionsModel(QAbstractListModel):
    """One row per workflow definition; UserRole gives its row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DefinitionRow] = []

    def set_rows(self, rows: Sequence[DefinitionRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_dict(self, row: int) -> DefinitionRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, name: str) -> int:
        for i, r in enumerate(self._rows):
            if r["name"] == name:
                return i
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "" if r["runnable"] else "  (needs other areas)"
            return f"{r['title']}{mark}"
        if role == Qt.ItemDataRole.ToolTipRole:
            extra = "" if r["runnable"] else "\nNot runnable here: no action " + ", ".join(r["missing_actions"])
            return tooltip(f"{r['name']} v{r['version']} ({r['origin']}), {r['runs']} run(s)\n{r['description']}{extra}")
        if role == Qt.ItemDataRole.ForegroundRole and not r["runnable"]:
            return QBrush(tone_color(Tone.MUTED))
        if role == Qt.ItemDataRole.UserRole:
            return r
        return None


class _Table(QAbstractTableModel, Generic[R]):
    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def key(self, row: R) -> str:
        """What tells one row from another across refreshes."""
        raise NotImplementedError

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show ``rows``: changed rows are updated, new ones inserted, gone ones removed (no reset)."""
        sync_rows(self, self._rows, list(rows), key=self.key)

    def row_dict(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[R]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def cell(self, row: R, column: int) -> str:
        raise NotImplementedError

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(self.COLUMNS):
            return None
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(r, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and self.COLUMNS[index.column()] == "Status":
            return status_brush(r["status"])
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.tooltip(r)
            return tooltip(tip) if tip is not None else None
        if role == Qt.ItemDataRole.UserRole:
            return r
        return None

    def tooltip(self, row: R) -> str | None:
        return None


class RunsTableModel(_Table["RunRow"]):
    COLUMNS = ("Run", "Workflow", "Status", "Started (UTC)", "Duration", "Problem")

    def key(self, row: RunRow) -> str:
        return row["id"]

    def cell(self, row: RunRow, column: int) -> str:
        if column == 0:
            return str(row["id"])[:10]
        if column == 1:
            return str(row["workflow"])
        if column == 2:
            return str(row["status"]).replace("_", " ")
        if column == 3:
            return fmt_time(row.get("started_at"))
        if column == 4:
            return fmt_duration(row.get("duration"))
        problem = row.get("error") or ""
        if row.get("failed_step"):
            problem = problem if problem.startswith(str(row["failed_step"])) else f"{row['failed_step']}: {problem}"
        return problem

    def tooltip(self, row: RunRow) -> str | None:
        return f"{row['id']}\ninputs: {json.dumps(row.get('inputs') or {}, sort_keys=True)}"


class StepsTableModel(_Table["StepRow"]):
    COLUMNS = ("#", "Step", "Action", "Status", "Attempts", "Started (UTC)", "Duration", "Error")

    def key(self, row: StepRow) -> str:
        return row["name"]

    def cell(self, row: StepRow, column: int) -> str:
        if column == 0:
            return str(int(row["position"]) + 1)
        if column == 1:
            return str(row["name"]) + (" (reused)" if row.get("reused") else "")
        if column == 2:
            return str(row["action"])
        if column == 3:
            return str(row["status"]).replace("_", " ")
        if column == 4:
            return str(row["attempts"])
        if column == 5:
            return fmt_time(row.get("started_at"))
        if column == 6:
            return fmt_duration(row.get("duration"))
        if row.get("compensation_error"):
            return f"undo failed: {row['compensation_error']}"
        return str(row.get("error") or "")
