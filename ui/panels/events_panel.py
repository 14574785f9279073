"""Events panel: a live, filterable view of the persisted event history, with replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.events import Event
from app.timeutil import to_iso
from services.events.store import EventQuery, StoredEvent
from ui.background import LatestQuery, run_in_background
from ui.colors import Tone, tone_span
from ui.panels.events_model import EventsTableModel
from ui.widgets.fitted_columns import fit_columns
from ui.widgets.plain_text import ask_yes_no, escape

if TYPE_CHECKING:
    from services.bootstrap import Services


def _to_qdt(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()), QTimeZone.utc())


def _from_qdt(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=UTC)


class EventsPanel(QWidget):
    status_message = Signal(str)
    loaded = Signal()  # the first page of the current filters is shown (or why it is not)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.model = EventsTableModel(services.events, self)
        self._reads = LatestQuery(self)
        self._total = 0
        self.model.page_loaded.connect(self._show_summary)
        self.model.page_failed.connect(self._on_load_failed)

        # filters
        self.type_box = QComboBox()
        self.type_box.setEditable(True)
        self.type_box.setMinimumWidth(180)
        type_line = self.type_box.lineEdit()
        if type_line is not None:
            type_line.setPlaceholderText("any type (e.g. build.*)")
        self.source_edit = QLineEdit(placeholderText="any source")
        self.correlation_edit = QLineEdit(placeholderText="correlation id")
        self.search_edit = QLineEdit(placeholderText="search payloads…")
        self.search_edit.setClearButtonEnabled(True)
        self.since_check = QCheckBox("From")
        self.since_edit = QDateTimeEdit(_to_qdt(datetime.now(UTC) - timedelta(days=1)))
        self.until_check = QCheckBox("To")
        self.until_edit = QDateTimeEdit(_to_qdt(datetime.now(UTC)))
        for edit in (self.since_edit, self.until_edit):
            edit.setTimeZone(QTimeZone.utc())
            edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
            edit.setCalendarPopup(True)
        self.clear_button = QPushButton("Clear filters")

        filters = QHBoxLayout()
        row1: tuple[QWidget, ...] = (QLabel("Type"), self.type_box, self.source_edit, self.correlation_edit, self.search_edit)
        for w in row1:
            filters.addWidget(w)
        filters2 = QHBoxLayout()
        row2: tuple[QWidget, ...] = (self.since_check, self.since_edit, self.until_check, self.until_edit)
        for w in row2:
            filters2.addWidget(w)
        filters2.addStretch(1)
        filters2.addWidget(self.clear_button)

        # table
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        # the scroll bar is there before the first page arrives: rows coming in do not narrow the viewport
        # (a layout and one more paint of every visible cell, ~11 ms at a 1280x800 window)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        fit_columns(self.table, (170, 170, 90, 120, 200), minimum=(150, 100, 50, 50, 80))

        # side: detail, counts
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.detail = QPlainTextEdit(readOnly=True)
        self.detail.setFont(mono)
        self.detail.setPlaceholderText("Select an event to see its envelope and payload.")
        self.counts = QTableWidget(0, 2)
        self.counts.setHorizontalHeaderLabels(["Type", "Count"])
        self.counts.horizontalHeader().setStretchLastSection(True)
        self.counts.verticalHeader().setVisible(False)
        self.counts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts_refresh = QPushButton("Refresh &counts")
        counts_box = QWidget()
        cl = QVBoxLayout(counts_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.counts)
        cl.addWidget(self.counts_refresh)

        self.replay_from = QDateTimeEdit(_to_qdt(datetime.now(UTC) - timedelta(hours=1)))
        self.replay_from.setTimeZone(QTimeZone.utc())
        self.replay_from.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
        self.replay_from.setCalendarPopup(True)
        self.replay_button = QPushButton("&Replay to subscribers…")
        replay_box = QWidget()
        rl = QFormLayout(replay_box)
        rl.addRow("Replay from", self.replay_from)
        rl.addRow(self.replay_button)
        replay_help = QLabel("Replay re-delivers stored events, oldest first, to every subscriber "
                             "(panels refresh from them). Nothing is written again.")
        replay_help.setWordWrap(True)
        rl.addRow(replay_help)

        self.side = QTabWidget()
        self.side.addTab(self.detail, "Detail")
        self.side.addTab(counts_box, "Counts by type")
        self.side.addTab(replay_box, "Replay")

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 380])

        self.summary = QLabel(textFormat=Qt.TextFormat.RichText)  # our markup; foreign text is escaped
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(filters2)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)

        # wiring
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.reload)
        for line in (self.source_edit, self.correlation_edit, self.search_edit):
            line.textChanged.connect(self._debounce.start)
        self.type_box.currentTextChanged.connect(self._debounce.start)
        for check in (self.since_check, self.until_check):
            check.toggled.connect(self._debounce.start)
        for dt in (self.since_edit, self.until_edit):
            dt.dateTimeChanged.connect(self._debounce.start)
        self.clear_button.clicked.connect(self.clear_filters)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.counts_refresh.clicked.connect(self.refresh_counts)
        self.replay_button.clicked.connect(self._on_replay_clicked)
        services.bus.published.connect(self._on_bus_event)

        self._load_types()
        self.reload()
        self.refresh_counts()

    # -- filters ------------------------------------------------------------------------
    def current_query(self) -> EventQuery:
        type_text = self.type_box.currentText().strip()
        return EventQuery(
            types=[type_text] if type_text else [],
            source=self.source_edit.text().strip() or None,
            correlation_id=self.correlation_edit.text().strip() or None,
            search=self.search_edit.text().strip() or None,
            since=_from_qdt(self.since_edit.dateTime()) if self.since_check.isChecked() else None,
            until=_from_qdt(self.until_edit.dateTime()) if self.until_check.isChecked() else None,
        )

    def clear_filters(self) -> None:
        for w in (self.source_edit, self.correlation_edit, self.search_edit):
            w.clear()
        self.type_box.setEditText("")
        self.since_check.setChecked(False)
        self.until_check.setChecked(False)
        self.reload()

    def select_item(self, item_id: str) -> None:
        """Show the events about ``item_id``, every other filter off: those correlated with it (a workflow run's
        id: its steps' events too), else those that mention it (a build's or a payment's id)."""
        events = self.services.events

        def correlated() -> bool:
            return bool(events.history(EventQuery(correlation_id=item_id, limit=1)))

        def show(by_correlation: bool) -> None:
            for w in (self.source_edit, self.correlation_edit, self.search_edit):
                w.clear()
            self.type_box.setEditText("")
            self.since_check.setChecked(False)
            self.until_check.setChecked(False)
            (self.correlation_edit if by_correlation else self.search_edit).setText(item_id)
            self.reload()
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

        run_in_background(correlated, show, self._on_load_failed, self)

    @property
    def loading(self) -> bool:
        return self._reads.busy

    def reload(self) -> None:
        """Read the first page off the GUI thread; a newer reload (typing) supersedes this one."""
        self._debounce.stop()
        query = self.model.first_page(self.current_query())
        events = self.services.events

        def load() -> tuple[EventQuery, list[StoredEvent], int]:
            resolved = events.resolve(query)  # a correlation prefix -> its id (live rows match by it)
            return resolved, events.history(resolved), events.total()

        self._reads.run(load, lambda result: self._show_page(*result), self._on_load_failed)

    def _show_page(self, query: EventQuery, rows: list[StoredEvent], total: int) -> None:
        self.model.show(query, rows)
        self.table.doItemsLayout()  # now: laid out inside the paint the reset asks for, it asked for one more paint
        self._total = total
        self._show_summary()
        self.detail.clear()
        self.loaded.emit()

    def _show_summary(self) -> None:
        more = " (scroll for more)" if self.model.canFetchMore() else ""
        self.summary.setText(f"{self.model.rowCount()} events shown{more}; {self._total} stored in all")

    def _on_load_failed(self, exc: Exception) -> None:
        self.summary.setText(tone_span(Tone.ERROR, escape(exc)))
        self.loaded.emit()

    def _load_types(self) -> None:
        run_in_background(self.services.events.types, self._show_types, lambda _exc: None, self)

    def _show_types(self, types: list[str]) -> None:
        current = self.type_box.currentText()
        self.type_box.blockSignals(True)
        self.type_box.clear()
        self.type_box.addItem("")
        self.type_box.addItems(types)
        self.type_box.setEditText(current)
        self.type_box.blockSignals(False)

    # -- detail and counts -----------------------------------------------------------------
    def _on_table_current_changed(self, current: object, _previous: object) -> None:
        row = self.table.currentIndex().row()
        event = self.model.event_at(row)
        self.show_detail(event)

    def show_detail(self, event: Event | None) -> None:
        if event is None:
            self.detail.clear()
            return
        envelope = {
            "id": event.id,
            "type": event.type,
            "source": event.source,
            "timestamp": to_iso(event.timestamp),
            "correlation_id": event.correlation_id,
            "causation_id": event.causation_id,
            "payload": event.payload(),
        }
        self.detail.setPlainText(json.dumps(envelope, indent=2, sort_keys=False, default=str))

    def refresh_counts(self) -> None:
        self.counts_refresh.setEnabled(False)
        run_in_background(self.services.events.counts_by_type, self._show_counts, self._counts_failed, self)

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts_refresh.setEnabled(True)
        self.counts.setRowCount(len(counts))
        for row, (name, n) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))):
            self.counts.setItem(row, 0, QTableWidgetItem(name))
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.DisplayRole, n)
            self.counts.setItem(row, 1, item)

    def _counts_failed(self, exc: Exception) -> None:
        self.counts_refresh.setEnabled(True)
        self.summary.setText(f"could not count events: {escape(exc)}")

    # -- live and replay ----------------------------------------------------------------------
    def _on_bus_event(self, event: Event) -> None:
        if self.model.add_live(event):
            self.summary.setText(f"{self.model.rowCount()} events shown; newest: {event.type}")
        if self.type_box.findText(event.type) < 0:
            self.type_box.blockSignals(True)
            self.type_box.addItem(event.type)
            self.type_box.blockSignals(False)

    def _on_replay_clicked(self) -> None:
        since = _from_qdt(self.replay_from.dateTime())
        type_text = self.type_box.currentText().strip()
        what = f"'{type_text}' events" if type_text else "all events"
        if not ask_confirm(self, "Replay events", f"Re-deliver {what} since {to_iso(since)} to every subscriber?"):
            return
        n = self.replay(since)
        self.status_message.emit(f"Replayed {n} events since {to_iso(since)}")

    def replay(self, since: datetime) -> int:
        type_text = self.type_box.currentText().strip()
        return self.services.events.replay(since, [type_text] if type_text else [])


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    """Yes/No confirmation; tests replace this function."""
    return ask_yes_no(parent, title, text)
