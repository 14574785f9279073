"""The builds queue/history as a table model, updated live from the runner and the bus."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.builds.model import BuildInfo
from app.builds.outcome import DEPLOYED, FINISHED, IN_PROGRESS, RUNNING, Outcome, outcome
from app.builds.progress import format_seconds
from ui.colors import Tone, tone_color
from ui.widgets.keyed_rows import sync_rows
from ui.widgets.plain_text import tooltip

COLUMNS = ("Build", "Template", "Platform", "Version", "State", "Step", "Progress", "Elapsed", "ETA")
PROGRESS_COLUMN = COLUMNS.index("Progress")
# what each column's width is measured on (the Progress column takes the rest): a width from the
# font, not from the rows, so showing 500 builds never asks each row for its size
COLUMN_SAMPLES = ("0123abcd", "quotes-daily-pro", "Platform", "10.12.3 (1234)", "cancelled", "assembleRelease",
                  "", "12m 59s", "12m 59s")
ROLE_INFO = Qt.ItemDataRole.UserRole + 1
ROLE_PERCENT = Qt.ItemDataRole.UserRole + 2

_OUTCOME_TONES = {Outcome.SUCCEEDED: Tone.OK, Outcome.FAILED: Tone.ERROR, Outcome.CANCELLED: Tone.MUTED}


def _tone(b: BuildInfo) -> Tone | None:
    """Deployed, then how it ended (a finished web build is a success), then running."""
    if DEPLOYED(b):
        return Tone.INFO
    return _OUTCOME_TONES.get(outcome(b)) or (Tone.WARNING if RUNNING(b) else None)

Index = QModelIndex | QPersistentModelIndex
_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, ROLE_INFO, ROLE_PERCENT, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class BuildsTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[BuildInfo] = []
        self._live: dict[str, tuple[str, float]] = {}  # build id -> (step, percent) from the runner
        self._times: dict[str, tuple[float, float | None]] = {}  # build id -> (elapsed, eta)

    # -- data -----------------------------------------------------------------------------
    def set_builds(self, builds: list[BuildInfo]) -> None:
        """Show ``builds``: changed rows are updated, new ones inserted, gone ones removed (no reset)."""
        for b in builds:
            if FINISHED(b):
                self._live.pop(b.id, None)
        sync_rows(self, self._rows, builds, key=lambda b: b.id)

    def update_builds(self, changed: list[BuildInfo]) -> None:
        """Update the rows of these builds; a build not shown yet goes on top (the newest first)."""
        rows = list(self._rows)
        for b in changed:
            at = self.row_of(b.id)
            if at >= 0:
                rows[at] = b
            else:
                rows.insert(0, b)
        self.set_builds(rows)

    def builds(self) -> list[BuildInfo]:
        return list(self._rows)

    def row_of(self, build_id: str) -> int:
        for i, b in enumerate(self._rows):
            if b.id == build_id:
                return i
        return -1

    def info(self, row: int) -> BuildInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def set_progress(self, build_id: str, step: str, percent: float) -> None:
        self._live[build_id] = (step, percent)
        row = self.row_of(build_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, COLUMNS.index("Step")), self.index(row, PROGRESS_COLUMN))

    def set_times(self, times: dict[str, tuple[float, float | None]]) -> None:
        self._times.update(times)
        rows = [self.row_of(bid) for bid in times]
        rows = [r for r in rows if r >= 0]
        if rows:
            self.dataChanged.emit(self.index(min(rows), COLUMNS.index("Elapsed")),
                                  self.index(max(rows), COLUMNS.index("ETA")))

    def step_and_percent(self, b: BuildInfo) -> tuple[str, float]:
        if b.id in self._live and not FINISHED(b):
            return self._live[b.id]
        return b.step, b.percent

    # -- Qt model API -------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a view asks each cell for a dozen roles at every paint: the ones this model answers are
        # told apart first, and a cell's text is made for its own column only
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        b = self._rows[index.row()]
        if role == ROLE_INFO:
            return b
        col = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(b, col)
        if role == ROLE_PERCENT:
            return self.step_and_percent(b)[1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(b.error or (b.artifact_path or ""))
        if role == Qt.ItemDataRole.ForegroundRole and col == "State":
            tone = _tone(b)
            return tone_color(tone) if tone else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in ("Progress", "Elapsed", "ETA"):
            return _RIGHT
        return None

    def _text(self, b: BuildInfo, col: str) -> str:
        if col == "Build":
            return b.id[:8]
        if col == "Template":
            return b.template_id
        if col == "Platform":
            return b.platform.value
        if col == "Version":
            return f"{b.version_name} ({b.version_code})"
        if col == "State":
            return b.state.value
        if col == "Step":
            return self.step_and_percent(b)[0]
        if col == "Progress":
            return f"{self.step_and_percent(b)[1]:.0f}%"
        elapsed, eta = self._times.get(b.id, (b.duration_s or 0.0, None))
        if col == "Elapsed":
            return format_seconds(elapsed) if b.started_at else "-"
        return format_seconds(eta) if IN_PROGRESS(b) else ""
