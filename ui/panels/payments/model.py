"""Table model over ledger transactions (the service returns domain ``Transaction`` rows)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.payments.model import Transaction, TxnStatus
from app.payments.money import format_minor
from app.timeutil import to_iso
from ui.colors import Tone, tone_color
from ui.widgets.keyed_rows import sync_rows
from ui.widgets.plain_text import tooltip

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Created (UTC)", "Provider", "Status", "Amount", "Refunded", "Net", "Template", "Provider ID", "ID")
AMOUNT_COLUMNS = (3, 4, 5)
STATUS_COLORS = {
    TxnStatus.SUCCEEDED: Tone.OK, TxnStatus.PARTIALLY_REFUNDED: Tone.WARNING, TxnStatus.REFUNDED: Tone.MUTED,
    TxnStatus.DECLINED: Tone.ERROR, TxnStatus.FAILED: Tone.ERROR, TxnStatus.REQUIRES_ACTION: Tone.WARNING,
}
TxnRole = Qt.ItemDataRole.UserRole + 1


class PaymentsTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Transaction] = []

    def set_rows(self, rows: list[Transaction]) -> None:
        """Show ``rows``: changed rows are updated, new ones inserted, gone ones removed (no reset)."""
        sync_rows(self, self._rows, rows, key=lambda t: t.id)

    def update_rows(self, changed: list[Transaction]) -> list[Transaction]:
        """Update the rows of these transactions in place; returns those not shown (for a reload to place)."""
        rows, missing = list(self._rows), []
        for t in changed:
            at = self.row_of(t.id)
            if at >= 0:
                rows[at] = t
            else:
                missing.append(t)
        self.set_rows(rows)
        return missing

    def transaction(self, row: int) -> Transaction | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, txn_id: str) -> int:
        return next((i for i, t in enumerate(self._rows) if t.id == txn_id), -1)

    def rows(self) -> list[Transaction]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (0 <= index.column() < len(COLUMNS)):
            return None
        t = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(t, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in AMOUNT_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 2 and t.status in STATUS_COLORS:
            return tone_color(STATUS_COLORS[t.status])
        if role == Qt.ItemDataRole.ToolTipRole and col == 2 and t.failure_message:
            return tooltip(t.failure_message)
        if role == TxnRole:
            return t
        return None

    @staticmethod
    def _text(t: Transaction, col: int) -> str:
        if col == 0:
            return to_iso(t.created_at).replace("T", " ").replace("Z", "")[:19] if t.created_at else ""
        if col == 1:
            return t.provider.value
        if col == 2:
            return t.status.value.replace("_", " ")
        if col == 3:
            return format_minor(t.amount, t.currency)
        if col == 4:
            return format_minor(t.refunded_amount, t.currency) if t.refunded_amount else ""
        if col == 5:
            return format_minor(t.net, t.currency) if t.status.captured else ""
        if col == 6:
            return t.template_id or ""
        if col == 7:
            return t.provider_id or ""
        return t.id
