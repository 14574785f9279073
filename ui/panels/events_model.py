"""A lazy table model over the event log: pages of 200, newest first, live rows on top; every page
is read off the GUI thread."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.events import Event
from app.search import text_matches
from app.timeutil import to_iso
from services.events.service import EventsService
from services.events.store import EventQuery, StoredEvent
from ui.background import LatestQuery
from ui.widgets.plain_text import tooltip

PAGE = 200
COLUMNS = ("Time (UTC)", "Type", "Source", "Correlation", "Payload")

Index = QModelIndex | QPersistentModelIndex


def matches(query: EventQuery, event: Event) -> bool:
    """Whether a live event belongs in a table filtered by ``query``."""
    types = [t.strip().lower() for t in query.types if t.strip()]
    if types and not any(event.type == t or (t.endswith("*") and event.type.startswith(t[:-1])) for t in types):
        return False
    if query.source and event.source != query.source.strip().lower():
        return False
    if query.correlation_id and event.correlation_id != query.correlation_id:
        return False
    if query.since and event.timestamp < query.since:
        return False
    if query.until and event.timestamp > query.until:
        return False
    # the same meaning of a search as the store's full-text index (app.search)
    payload = json.dumps(event.payload(), default=str, ensure_ascii=False)
    return not query.search or text_matches(query.search, event.type, event.source, event.id, payload)


class EventsTableModel(QAbstractTableModel):
    """Rows come from :meth:`show` (the panel reads the first page off the GUI thread); further pages
    are read in the background when the view asks for more, and inserted when they arrive."""

    page_loaded = Signal()
    page_failed = Signal(object)

    def __init__(self, service: EventsService, parent: Any = None) -> None:
        super().__init__(parent)
        self._service = service
        self._rows: list[StoredEvent] = []
        self._query = EventQuery(limit=PAGE)
        self._exhausted = True
        self._pages = LatestQuery(self)

    # -- loading ------------------------------------------------------------------
    @property
    def query(self) -> EventQuery:
        return self._query

    @staticmethod
    def first_page(query: EventQuery) -> EventQuery:
        return replace(query, limit=PAGE, before_seq=None)

    def show(self, query: EventQuery, rows: list[StoredEvent]) -> None:
        """Show ``rows``, the first page of ``query`` (read by the caller); a page still loading is dropped."""
        self._pages.cancel()
        self.beginResetModel()
        self._query = self.first_page(query)
        self._rows = list(rows)
        self._exhausted = len(rows) < PAGE
        self.endResetModel()

    @property
    def loading_more(self) -> bool:
        return self._pages.busy

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._pages.busy:
            return
        stored = [r.seq for r in self._rows if r.seq > 0]
        before = min(stored) if stored else None
        query = replace(self._query, before_seq=before)
        service = self._service
        self._pages.run(lambda: service.history(query), self._append_page, self.page_failed.emit)

    def _append_page(self, page: list[StoredEvent]) -> None:
        self._exhausted = len(page) < PAGE
        if page:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        self.page_loaded.emit()

    def add_live(self, event: Event) -> bool:
        if not matches(self._query, event):
            return False
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, StoredEvent(seq=-1, event=event))
        self.endInsertRows()
        return True

    def event_at(self, row: int) -> Event | None:
        return self._rows[row].event if 0 <= row < len(self._rows) else None

    # -- Qt model API -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        event = self._rows[index.row()].event
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return to_iso(event.timestamp)[:23]
            if col == 1:
                return event.type
            if col == 2:
                return event.source
            if col == 3:
                return event.correlation_id or ""
            if col == 4:
                text = json.dumps(event.payload(), sort_keys=True, default=str)
                return text if len(text) < 160 else text[:157] + "..."
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            return tooltip(json.dumps(event.payload(), indent=2, sort_keys=True, default=str))
        if role == Qt.ItemDataRole.UserRole:
            return event.id
        return None
