"""A lazy table model over the templates store: pages of 200 rows fetched as the view scrolls.

Only light :class:`TemplateSummary` rows are kept, so a 100,000-row store costs a few MB even
when scrolled to the end. No ``count`` runs per keystroke: the panel counts in the background.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.templates.model import SortKey, TemplateQuery, TemplateStatus, TemplateSummary
from app.templates.rules import format_price
from services.templates.service import TemplatesService
from ui.colors import Tone, tone_color
from ui.widgets.keyed_rows import sync_rows
from ui.widgets.plain_text import tooltip

PAGE = 200
COLUMNS = ("Title", "ID", "Category", "Tags", "Status", "Version", "Price", "Rating", "Updated (UTC)")
SORTABLE = {0: SortKey.TITLE, 7: SortKey.RATING, 8: SortKey.UPDATED}
ID_ROLE = Qt.ItemDataRole.UserRole

Index = QModelIndex | QPersistentModelIndex


class TemplatesTableModel(QAbstractTableModel):
    def __init__(self, service: TemplatesService, parent: Any = None) -> None:
        super().__init__(parent)
        self._service = service
        self._rows: list[TemplateSummary] = []
        self._query = TemplateQuery(limit=PAGE)
        self._exhausted = True

    # -- loading ------------------------------------------------------------------
    @property
    def query(self) -> TemplateQuery:
        return self._query

    @property
    def exhausted(self) -> bool:
        """True once every matching row is loaded."""
        return self._exhausted

    @staticmethod
    def page_query(query: TemplateQuery) -> TemplateQuery:
        return replace(query, limit=PAGE, offset=0)

    def set_query(self, query: TemplateQuery) -> None:
        q = self.page_query(query)
        self.show(q, self._service.find(q))

    def show(self, query: TemplateQuery, rows: list[TemplateSummary]) -> None:
        """Show ``rows``, the first page of ``query`` (read by the caller, e.g. off the GUI thread)."""
        self.beginResetModel()
        self._query = self.page_query(query)
        self._rows = list(rows)
        self._exhausted = len(self._rows) < PAGE
        self.endResetModel()

    def reload_query(self) -> TemplateQuery:
        """The current query over as many rows as are loaded (what a refresh after a write reads)."""
        return replace(self._query, limit=max(len(self._rows), PAGE), offset=0)

    def refreshed(self, query: TemplateQuery, rows: list[TemplateSummary]) -> None:
        """Show ``rows``, read for :meth:`reload_query`, row by row: changed rows are updated, new ones
        inserted, gone ones removed (no reset, so the view keeps its selection and scroll position)."""
        if replace(query, limit=PAGE) != self._query:
            return  # a newer search replaced the page meanwhile
        sync_rows(self, self._rows, rows, key=lambda t: t.id)
        self._exhausted = len(self._rows) < query.limit

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page = self._service.find(self._next_page_query())
        self._exhausted = len(page) < PAGE
        if not page:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def _next_page_query(self) -> TemplateQuery:
        q = self._query
        title_order = q.sort is SortKey.TITLE or (q.sort is SortKey.RELEVANCE and not (q.search or "").strip())
        if title_order and self._rows:
            last = self._rows[-1]
            return replace(q, after=(last.title, last.id), offset=0)
        return replace(q, offset=len(self._rows))

    def fetch_all(self) -> None:
        while self.canFetchMore():
            self.fetchMore()

    def summary_at(self, row: int) -> TemplateSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, template_id: str) -> int:
        for i, row in enumerate(self._rows):
            if row.id == template_id:
                return i
        return -1

    # -- Qt model API -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORTABLE.get(column)
        if key is None or key is self._query.sort:
            return
        self.set_query(replace(self._query, sort=key))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        t = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return t.title
            if col == 1:
                return t.id
            if col == 2:
                return t.category
            if col == 3:
                return ", ".join(t.tags)
            if col == 4:
                return t.status.value
            if col == 5:
                return t.version
            if col == 6:
                return format_price(t.price_amount, t.price_currency)
            if col == 7:
                return f"{t.rating_avg:.1f} ★ ({t.rating_count})" if t.rating_avg is not None else "—"
            if col == 8:
                return t.updated_at.strftime("%Y-%m-%d %H:%M")
        if role == Qt.ItemDataRole.ToolTipRole and col in (0, 3):
            return tooltip(f"{t.title}\n{', '.join(t.tags)}")
        if role == Qt.ItemDataRole.ForegroundRole and t.status is not TemplateStatus.ACTIVE:

            return tone_color(Tone.MUTED)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return t.id
        return None
