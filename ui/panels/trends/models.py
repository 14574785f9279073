"""Table model of trends and the sparkline delegate that paints each trend's history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, QRect, Qt
from PySide6.QtGui import QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui.colors import Tone, tone_brush, tone_color

if TYPE_CHECKING:
    from services.trends.rows import TrendRow

SERIES_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3

COLUMNS = ("Title", "Score", "Tag", "Momentum", "Volume", "Sources", "History")
COL_TITLE, COL_SCORE, COL_TAG, COL_MOMENTUM, COL_VOLUME, COL_SOURCES, COL_HISTORY = range(len(COLUMNS))

TAG_COLORS = {
    "breakout": Tone.SPECIAL,
    "exploding": Tone.WARNING,
    "rising": Tone.OK,
    "steady": Tone.MUTED,
    "peaked": Tone.BROWN,
    "new": Tone.INFO,
}

Index = QModelIndex | QPersistentModelIndex


def sort_key(t: TrendRow, col: int) -> str | float:
    """What column ``col`` sorts ``t`` by (also served as SORT_ROLE)."""
    m = t.get("momentum") or {}
    if col == COL_TITLE:
        return t["title"].lower()
    if col == COL_SCORE:
        return float(t["score"])
    if col == COL_TAG:
        return t["tag"]
    if col == COL_MOMENTUM:
        return float(m.get("growth", 0.0)) if m else 0.0
    if col == COL_VOLUME:
        return float(t["volume"])
    if col == COL_SOURCES:
        return ", ".join(t["sources"] or [])
    if col == COL_HISTORY:
        return float(m.get("rel_velocity", 0.0)) if m else 0.0
    return 0.0


class TrendsTableModel(QAbstractTableModel):
    """The trends shown, kept in the view's sort order by the model itself: one Python sort of the
    rows by a key each (a sort proxy asked ``data()`` twice per comparison, ~10 calls a row, about
    200 ms on the GUI thread for every 500-row reload while typing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[TrendRow] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- data in ------------------------------------------------------------------------
    def set_rows(self, rows: list[TrendRow]) -> None:
        self.beginResetModel()
        self._rows = self._sorted(rows)
        self.endResetModel()

    def _sorted(self, rows: list[TrendRow]) -> list[TrendRow]:
        if self._sort is None:
            return list(rows)
        col, order = self._sort
        return sorted(rows, key=lambda t: sort_key(t, col), reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._rows[i.row()]["id"] for i in before]
        self._rows = self._sorted(self._rows)
        where = {r["id"]: n for n, r in enumerate(self._rows)}
        self.changePersistentIndexList(before, [self.index(where[tid], i.column()) for tid, i in zip(ids, before, strict=True)])
        self.layoutChanged.emit()

    def row_data(self, row: int) -> TrendRow:
        return self._rows[row]

    def row_of(self, trend_id: str) -> int:
        for i, r in enumerate(self._rows):
            if r["id"] == trend_id:
                return i
        return -1

    # -- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        t = self._rows[index.row()]
        col = index.column()
        m = t.get("momentum") or {}
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_TITLE:
                return t["title"]
            if col == COL_SCORE:
                return f"{t['score']:.1f}"
            if col == COL_TAG:
                return t["tag"] + (" ●" if t.get("emerging") else "")
            if col == COL_MOMENTUM:
                if m and m.get("breakout"):
                    return "from ~0"
                return f"{m.get('growth', 0.0):+.0%}" if m else "-"
            if col == COL_VOLUME:
                return f"{t['volume']:,.0f}"
            if col == COL_SOURCES:
                return ", ".join(t.get("sources") or [])
            return None
        if role == SORT_ROLE:
            return sort_key(t, col)
        if role == SERIES_ROLE:
            return list(t.get("series") or [])
        if role == ID_ROLE:
            return t["id"]
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_TAG:
            tone = TAG_COLORS.get(t["tag"])
            return tone_brush(tone) if tone else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_SCORE, COL_MOMENTUM, COL_VOLUME):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in (COL_MOMENTUM, COL_HISTORY) and m:
                return (
                    f"growth {m['growth']:+.1%} over the window\nvelocity (EMA3-EMA8) {m['velocity']:.1f}\n"
                    f"acceleration {m['acceleration']:.1f}\nz-score {m['zscore']}\n{m['points']} points"
                )
            if col == COL_TAG:
                return "emerging: the smoothed z-score flagged one of the last two points" if t.get("emerging") else t["tag"]
            if col == COL_TITLE:
                return t["title"]
        return None


class SparklineDelegate(QStyledItemDelegate):
    """Paints the SERIES_ROLE list of an index as a small line: green rising, red falling."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        values = index.data(SERIES_ROLE) or []
        if len(values) < 2:
            return
        rect: QRect = opt.rect.adjusted(4, 4, -4, -4)
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        step = rect.width() / (len(values) - 1)
        points = [QPointF(rect.left() + i * step, rect.bottom() - (v - lo) / span * rect.height()) for i, v in enumerate(values)]
        poly = QPolygonF(points)
        color = tone_color(Tone.OK) if values[-1] > values[0] else tone_color(Tone.ERROR) if values[-1] < values[0] else tone_color(Tone.MUTED)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(color, 1.5))
        painter.drawPolyline(poly)
        painter.setBrush(color)
        painter.drawEllipse(points[-1], 2.0, 2.0)
        painter.restore()
