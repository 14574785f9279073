"""The Trends panel: a scored table with sparklines, filters, a detail view with a history chart,
related trends and matching templates, source health and settings.

Reads go through ``run_in_background``; a sync runs as a task on the app's qasync loop, so the GUI never waits.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol, cast

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.events import Event
from app.timeutil import parse_iso
from app.trends.model import FETCHABLE, SourceName, TrendTag
from ui.background import LatestQuery, run_in_background
from ui.colors import Tone, tone_brush, tone_style
from ui.panels.trends.models import (
    COL_HISTORY,
    COL_MOMENTUM,
    COL_SCORE,
    COL_SOURCES,
    COL_TAG,
    COL_TITLE,
    COL_VOLUME,
    ID_ROLE,
    SparklineDelegate,
    TrendsTableModel,
)
from ui.remedies import remedy_of
from ui.theme import chart_theme
from ui.widgets.fitted_columns import fit_columns
from ui.widgets.key_choice import KEY_INPUT, KeyCombo, signing_key_aliases
from ui.widgets.plain_text import escape, plain_label, tooltip

if TYPE_CHECKING:
    from app.trends.matching import TemplateMatchDict
    from app.workflows.definition import WorkflowDefinition
    from services.bootstrap import Services
    from services.trends.rows import (
        CsvImportResult,
        RelatedTrend,
        SourceHealthRow,
        TrendDetail,
        TrendRow,
        TrendSettings,
    )
    from services.trends.service import SyncReport

log = logging.getLogger(__name__)

SOURCE_LABELS = {
    SourceName.REDDIT: "Reddit",
    SourceName.GOOGLE_TRENDS: "Google Trends",
    SourceName.X: "X (opt-in, paid API)",
    SourceName.TIKTOK: "TikTok (opt-in, unofficial)",
    SourceName.CSV: "CSV import",
}


class MakeTemplateDialog(QDialog):
    """Asks for the inputs of a trend-to-release run. Tests replace :meth:`ask`."""

    def __init__(self, title: str, templates: list[TemplateMatchDict], parent: QWidget | None = None,
                 keys: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Make a template from this trend")
        form = QFormLayout(self)
        form.addRow(QLabel(f"Start the <b>trend-to-release</b> workflow for “{escape(title)}”.", textFormat=Qt.TextFormat.RichText))
        self.base = QComboBox()
        for t in templates:
            self.base.addItem(f"{t['name']} ({t['score']:.2f})", t["template_id"])
        self.base.setEditable(True)
        self.deploy = QLineEdit()
        self.deploy.setPlaceholderText("folder the signed release is copied to")
        self.key = KeyCombo(keys or [])
        form.addRow("Base template", self.base)
        form.addRow("Deploy folder", self.deploy)
        form.addRow("Signing key", self.key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @classmethod
    def ask(cls, title: str, templates: list[TemplateMatchDict], parent: QWidget | None = None,
            keys: list[str] | None = None) -> dict[str, str] | None:
        dlg = cls(title, templates, parent, keys)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.answer()

    def answer(self) -> dict[str, str]:
        base = self.base.currentData() or self.base.currentText().strip()
        out = {"base_template": str(base), "deploy_dir": self.deploy.text().strip()}
        alias = self.key.alias()
        if alias is not None:
            out[KEY_INPUT] = alias
        return out


class TrendsPanel(QWidget):
    status_message = Signal(str)
    remedy_offered = Signal(object)  # Remedy: what to do about the error just shown
    notify_requested = Signal(str, str)
    loaded = Signal()
    detail_loaded = Signal(str)
    sync_finished = Signal(object)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.svc = services.trends
        self._reads = LatestQuery(self)  # the list: a newer refresh (typing) interrupts the one before
        self._detail_reads = LatestQuery(self)  # the detail pane: a newer click interrupts the one before
        self._syncing = False
        self._current_id: str | None = None
        self._current: TrendDetail | None = None
        self._tasks: set[asyncio.Task[SyncReport]] = set()
        self._build()
        self._refresh_timer = QTimer(self, singleShot=True, interval=250)
        self._refresh_timer.timeout.connect(self.refresh)
        self.services.bus.published.connect(self._on_bus_published)
        if self.svc.scheduler is not None:  # the schedule itself lives in the service (runs from start-up)
            self.svc.scheduler.ran.connect(self._on_scheduler_ran)
        self._load_settings()
        self.refresh()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit(placeholderText="Search trends and aliases…", clearButtonEnabled=True)
        self.source_filter = QComboBox()
        self.source_filter.addItem("All sources", "")
        for s in SourceName:
            self.source_filter.addItem(SOURCE_LABELS[s], s.value)
        self.tag_filter = QComboBox()
        self.tag_filter.addItem("All tags", "")
        for t in TrendTag:
            self.tag_filter.addItem(t.value, t.value)
        self.emerging_only = QCheckBox("Emerging only")
        self.show_archived = QCheckBox("Archived")
        self.sync_button = QPushButton("&Sync now")
        self.sync_button.setToolTip("Fetch every enabled source now")
        self.import_button = QPushButton("&Import CSV…")
        self.import_button.setToolTip("Trends from a CSV with a title column (and optional volume, rank, taken_at, url, category)")
        self.sync_status = plain_label("")
        self.sync_status.setWordWrap(True)
        for w in (self.search, self.source_filter, self.tag_filter, self.emerging_only, self.show_archived, self.sync_button,
                  self.import_button):
            bar.addWidget(w)
        bar.setStretch(0, 1)
        root.addLayout(bar)
        root.addWidget(self.sync_status)

        self.model = TrendsTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)  # it sorts itself (no proxy asking data() per comparison)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_SCORE, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setItemDelegateForColumn(COL_HISTORY, SparklineDelegate(self.table))
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(30)
        widths = {COL_TITLE: 200, COL_SCORE: 50, COL_TAG: 88, COL_MOMENTUM: 82, COL_VOLUME: 66, COL_SOURCES: 90, COL_HISTORY: 96}
        least = {COL_TITLE: 120, COL_SCORE: 40, COL_TAG: 60, COL_MOMENTUM: 64, COL_VOLUME: 50, COL_SOURCES: 50, COL_HISTORY: 60}
        fit_columns(self.table, [widths[c] for c in sorted(widths)], [least[c] for c in sorted(least)], stretch=COL_TITLE)
        self.empty_label = QLabel("No trends yet. Press “Sync now” to fetch Reddit and Google Trends, or “Import CSV…” "
                                  "for a file of your own.")
        self.empty_label.setWordWrap(True)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.empty_label)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_detail(), "Detail")
        self.tabs.addTab(self._build_sources(), "Sources")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 540])
        root.addWidget(splitter, 1)

        self.search.textChanged.connect(lambda _t: self._refresh_timer.start())
        for combo in (self.source_filter, self.tag_filter):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.emerging_only.toggled.connect(lambda _c: self.refresh())
        self.show_archived.toggled.connect(lambda _c: self.refresh())
        self.sync_button.clicked.connect(lambda: self.start_sync())
        self.import_button.clicked.connect(self.import_csv)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

    def _build_detail(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.detail_title = plain_label("Select a trend")
        self.detail_title.setWordWrap(True)
        self.detail_title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.detail_stats = plain_label("")
        self.detail_stats.setWordWrap(True)
        self.detail_stats.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = QChart()
        self.chart.setTheme(chart_theme())
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(self.chart.margins() * 0)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(200)
        self.related_list = QListWidget()
        self.templates_list = QListWidget()
        for lst in (self.related_list, self.templates_list):
            lst.setWordWrap(True)
            lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.archive_button = QPushButton("Archive")
        self.archive_button.setEnabled(False)
        self.make_button = QPushButton("&Make a template from this trend")
        self.make_button.setEnabled(False)
        self.archive_button.clicked.connect(self._on_archive_button_clicked)
        self.make_button.clicked.connect(self._on_make_button_clicked)
        self.related_list.itemActivated.connect(self._on_related_list_item_activated)
        lay.addWidget(self.detail_title)
        lay.addWidget(self.detail_stats)
        lay.addWidget(self.chart_view, 3)
        lists = QHBoxLayout()
        for label, lst in (("Related trends", self.related_list), ("Matching templates", self.templates_list)):
            box = QGroupBox(label)
            QVBoxLayout(box).addWidget(lst)
            lists.addWidget(box)
        lay.addLayout(lists, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.archive_button)
        buttons.addStretch(1)
        buttons.addWidget(self.make_button)
        lay.addLayout(buttons)
        return w

    def _build_sources(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.health_table = QTableWidget(0, 6)
        self.health_table.setHorizontalHeaderLabels(["Source", "State", "Last success", "Items", "Backoff until", "Last error"])
        self.health_table.verticalHeader().setVisible(False)
        self.health_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.health_table.horizontalHeader().setStretchLastSection(True)
        self.health_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.health_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        lay.addWidget(self.health_table, 1)
        self.sync_source_button = QPushButton("Sync selected source")
        self.sync_source_button.setToolTip("Fetch only the selected source now (even if it is off or backing off)")
        self.sync_source_button.clicked.connect(self._on_sync_source_button_clicked)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.sync_source_button)
        lay.addLayout(row)
        box = QGroupBox("Settings")
        form = QFormLayout(box)
        self.source_checks: dict[SourceName, QCheckBox] = {}
        checks = QVBoxLayout()
        for s in FETCHABLE:
            cb = QCheckBox(SOURCE_LABELS[s])
            self.source_checks[s] = cb
            checks.addWidget(cb)
        form.addRow("Enabled sources", checks)
        self.subreddits_edit = QLineEdit()
        self.subreddits_edit.setPlaceholderText("comma-separated, e.g. AndroidApps, gaming")
        form.addRow("Subreddits", self.subreddits_edit)
        self.interval_spin = QSpinBox(minimum=5, maximum=1440, suffix=" min")
        form.addRow("Sync every", self.interval_spin)
        self.geo_edit = QLineEdit()
        self.geo_edit.setMaxLength(2)
        self.geo_edit.setToolTip("two-letter country for Google Trends and TikTok, e.g. US")
        self.woeid_spin = QSpinBox(minimum=1, maximum=99_999_999)
        self.woeid_spin.setToolTip("X trends location: 1 = worldwide, 23424977 = United States")
        form.addRow("Country", self.geo_edit)
        form.addRow("X WOEID", self.woeid_spin)
        self.save_settings_button = QPushButton("Save settings")
        self.save_settings_button.clicked.connect(self._on_save_settings_button_clicked)
        self.settings_error = plain_label("")
        self.settings_error.setStyleSheet(tone_style(Tone.ERROR))
        self.settings_error.setWordWrap(True)
        form.addRow(self.save_settings_button, self.settings_error)
        lay.addWidget(box)
        return w

    # -- loading ------------------------------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        return {
            "search": self.search.text().strip() or None,
            "source": self.source_filter.currentData() or None,
            "tag": self.tag_filter.currentData() or None,
            "archived": self.show_archived.isChecked(),
            "emerging": self.emerging_only.isChecked(),
        }

    def refresh(self) -> None:
        f = self.filters()
        svc = self.svc

        def load() -> tuple[list[TrendRow], list[SourceHealthRow]]:
            return svc.list_trends(limit=500, with_series=True, **f), svc.source_health()

        self._reads.run(load, self._on_loaded, self._on_error)

    def _on_loaded(self, res: tuple[list[TrendRow], list[SourceHealthRow]]) -> None:
        rows, health = res
        self.model.set_rows(rows)
        self.empty_label.setVisible(not rows)
        self._fill_health(health)
        if self._current_id is not None:
            row = self.model.row_of(self._current_id)
            if row >= 0:
                self.table.selectRow(row)
        self.loaded.emit()

    def _on_error(self, exc: Exception) -> None:
        log.warning("trends panel: %s", exc)
        self.sync_status.setText(f"⚠ {exc}")
        self.status_message.emit(f"Trends: {exc}")
        self.remedy_offered.emit(remedy_of(exc))

    def _fill_health(self, health: list[SourceHealthRow]) -> None:
        self.health_table.setRowCount(len(health))
        failing = []
        for i, h in enumerate(health):
            if not h["enabled"]:
                state = "off"
            elif h["ok"]:
                state = "ok" if h["last_success"] else "not synced yet"
            else:
                state = f"failing ({h['failures']}x)"
                failing.append(_with_source(h["name"], h["last_error"]))
            cells = [SOURCE_LABELS[SourceName(h["name"])], state, _short_time(h["last_success"]), str(h["last_items"]),
                     _short_time(h["backoff_until"]), h["last_error"]]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tooltip(text))
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, h["name"])
                if c == 1 and state.startswith("failing"):
                    item.setForeground(tone_brush(Tone.ERROR))
                self.health_table.setItem(i, c, item)
        self.health_table.resizeColumnsToContents()
        if failing and not self._syncing and not self.sync_status.text():
            self.sync_status.setText("⚠ " + " | ".join(failing))
            self.sync_status.setStyleSheet(tone_style(Tone.ERROR))

    def _load_settings(self) -> None:
        s = self.svc.get_settings()
        for src, cb in self.source_checks.items():
            cb.setChecked(src.value in s["enabled_sources"])
        self.subreddits_edit.setText(", ".join(s["subreddits"]))
        self.interval_spin.setValue(int(s["interval_minutes"]))
        self.geo_edit.setText(str(s["geo"]))
        self.woeid_spin.setValue(int(s["woeid"]))

    def _on_save_settings_button_clicked(self) -> None:
        enabled = [s.value for s, cb in self.source_checks.items() if cb.isChecked()]
        subs = [x.strip() for x in self.subreddits_edit.text().split(",") if x.strip()]
        interval = self.interval_spin.value()
        geo = self.geo_edit.text().strip()
        woeid = self.woeid_spin.value()
        svc = self.svc

        def save() -> TrendSettings:
            return svc.update_settings(enabled_sources=enabled, subreddits=subs, interval_minutes=interval, geo=geo, woeid=woeid)

        def done(s: TrendSettings) -> None:
            self.settings_error.setText("")
            self.status_message.emit(f"Trends settings saved; syncing every {s['interval_minutes']} min")
            self.refresh()

        run_in_background(save, done, lambda exc: self.settings_error.setText(str(exc)), self)

    # -- sync -----------------------------------------------------------------------------------
    def start_sync(self, source: str | None = None, *, scheduled: bool = False) -> bool:
        """Start a sync without blocking; False if one is already running."""
        if self._syncing:
            return False
        self._syncing = True
        self.sync_button.setEnabled(False)
        self.sync_status.setStyleSheet("")
        self.sync_status.setText("Syncing " + (source or "enabled sources") + "…")
        # on the app's one loop (the qasync loop runs whenever the panel is shown), with the service's long-lived client
        task = asyncio.get_running_loop().create_task(self.svc.sync(source, scheduled=scheduled))
        self._tasks.add(task)
        task.add_done_callback(self._on_sync_task_done)
        return True

    @classmethod
    def ask_csv_path(cls, parent: QWidget) -> str | None:
        """The CSV to import, or None. Replaced in tests."""
        path, _ = QFileDialog.getOpenFileName(parent, "Import trends", "", "CSV files (*.csv);;All files (*)")
        return path or None

    def import_csv(self) -> None:
        path = self.ask_csv_path(self)
        if not path:
            return
        svc = self.svc
        self.import_button.setEnabled(False)

        def done(result: CsvImportResult) -> None:
            self.import_button.setEnabled(True)
            self.sync_status.setStyleSheet("")
            self.sync_status.setText(f"Imported {result['rows']} rows: {result['discovered']} new trends, "
                                     f"{result['updated']} updated, {result['emerging']} emerging")
            self.refresh()

        def failed(exc: Exception) -> None:
            self.import_button.setEnabled(True)
            self.sync_status.setStyleSheet(tone_style(Tone.ERROR))
            self.sync_status.setText(f"⚠ {exc}")

        run_in_background(lambda: svc.import_csv(SourceName.CSV.value, path), done, failed, self)

    def _on_sync_source_button_clicked(self) -> None:
        item = self.health_table.item(self.health_table.currentRow(), 0)
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if name:
            self.start_sync(str(name))
        else:
            self.sync_status.setStyleSheet("")
            self.sync_status.setText("Select a source in the Sources table first, then press “Sync selected source”.")

    def _on_scheduler_ran(self, result: object) -> None:
        if self._syncing:
            return
        if isinstance(result, Exception):
            self._on_sync_failed(result)
        else:
            self._on_sync_done(cast("SyncReport", result))  # the schedule's ran signal: a SyncReport or an exception

    def _on_sync_task_done(self, task: asyncio.Task[SyncReport]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            self._on_sync_failed(RuntimeError("sync cancelled"))
        elif task.exception() is not None:
            exc = task.exception()
            self._on_sync_failed(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))
        else:
            self._on_sync_done(task.result())

    def _on_sync_done(self, report: SyncReport) -> None:
        self._syncing = False
        self.sync_button.setEnabled(True)
        parts = [f"{o.source}: {o.items}" if o.ok else f"FAILED {_with_source(o.source, o.error)}" for o in report.outcomes]
        text = f"Synced — {report.discovered} new, {report.emerging} emerging. " + "; ".join(parts)
        self.sync_status.setText(("⚠ " if report.failed else "") + text)
        self.sync_status.setStyleSheet(tone_style(Tone.ERROR) if report.failed else "")
        self.status_message.emit(text)
        self.remedy_offered.emit(next((o.remedy for o in report.failed if o.remedy is not None), None))
        if report.emerging:
            self.notify_requested.emit("Emerging trends", f"{report.emerging} trend(s) started rising fast")
        for o in report.failed:
            self.notify_requested.emit(f"Trend source {o.source} failed", o.error)
        self.refresh()
        self.sync_finished.emit(report)

    def _on_sync_failed(self, exc: Exception) -> None:
        self._syncing = False
        self.sync_button.setEnabled(True)
        self.sync_status.setText(f"⚠ Sync failed: {exc}")
        self.sync_status.setStyleSheet(tone_style(Tone.ERROR))
        self.status_message.emit(f"Trends sync failed: {exc}")
        self.sync_finished.emit(exc)

    # -- bus ---------------------------------------------------------------------------------------
    def _on_bus_published(self, event: Event) -> None:
        if event.type.startswith(("trend", "source.")) and not self._syncing:
            self._refresh_timer.start()

    # -- detail ------------------------------------------------------------------------------------
    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        tid = current.siblingAtColumn(0).data(ID_ROLE)
        if tid and tid != self._current_id:
            self.show_trend(tid)

    def _on_related_list_item_activated(self, item: QListWidgetItem) -> None:
        tid = item.data(Qt.ItemDataRole.UserRole)
        if tid:
            self.show_trend(tid)

    def select_item(self, item_id: str) -> None:
        """Show trend ``item_id``; its row is selected once the table has it."""
        row = self.model.row_of(item_id)
        if row >= 0:
            self.table.selectRow(row)
        self.show_trend(item_id)

    def show_trend(self, trend_id: str) -> None:
        self._current_id = trend_id
        svc = self.svc

        def load() -> tuple[TrendDetail, list[RelatedTrend], list[TemplateMatchDict]]:
            return svc.show(trend_id), svc.related(trend_id), svc.matching_templates(trend_id)

        self._detail_reads.run(load, self._on_detail, self._on_error)

    def _on_detail(self, res: tuple[TrendDetail, list[RelatedTrend], list[TemplateMatchDict]]) -> None:
        t, rel, templates = res
        self._current = t
        self._current_templates = templates
        badge = " · emerging" if t["emerging"] else ""
        self.detail_title.setText(f"{t['title']}  [{t['tag']}{badge}]")
        m = t["momentum"] or {}
        aliases = ", ".join(sorted({a["alias"] for a in t["aliases"]} - {t["title"]}))
        stats = [f"score {t['score']:.1f}", f"volume {t['volume']:,.0f}", f"sources {', '.join(t['sources'])}"]
        if m:
            growth = "from ~0 (breakout)" if m.get("breakout") else f"{m['growth']:+.0%}"
            stats.append(f"growth {growth}, velocity {m['velocity']:.1f}, acceleration {m['acceleration']:.1f}")
        if aliases:
            stats.append(f"also seen as: {aliases}")
        for lead in t.get("source_leads", []):
            if lead["leader"]:
                other = lead["b"] if lead["leader"] == lead["a"] else lead["a"]
                stats.append(f"{lead['leader']} leads {other} by {abs(lead['lag'])} snapshot(s)")
        if t["archived"]:
            stats.append("archived")
        self.detail_stats.setText(" · ".join(stats))
        self._fill_chart(t)
        self.related_list.clear()
        for r in rel:
            leads = {"this": "this leads", "other": "it leads", "together": "moves together"}[r["leader"]]
            item = QListWidgetItem(f"{r['title']}\n    {r['score']:.2f} · text {r['text']:.2f} · co-move {r['comovement']:+.2f} · {leads}")
            item.setData(Qt.ItemDataRole.UserRole, r["id"])
            self.related_list.addItem(item)
        if not rel:
            self.related_list.addItem("(nothing related yet)")
        self.templates_list.clear()
        if not self.svc.templates_available():
            self.templates_list.addItem("(the Templates area is not installed)")
        for m_ in templates:
            self.templates_list.addItem(f"{m_['name']}\n    {m_['score']:.2f} · {'; '.join(m_['reasons'])}")
        if self.svc.templates_available() and not templates:
            self.templates_list.addItem("(no template matches this trend)")
        self.archive_button.setEnabled(True)
        self.archive_button.setText("Unarchive" if t["archived"] else "Archive")
        self.make_button.setEnabled(not t["archived"])
        self.make_button.setToolTip(
            "Unarchive the trend first" if t["archived"] else "Start the trend-to-release workflow from this trend"
        )
        self.detail_loaded.emit(t["id"])

    def _fill_chart(self, t: TrendDetail) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        by_source: dict[str, list[tuple[float, float]]] = {}
        for snap in t["snapshots"]:
            ms = float(parse_iso(snap["taken_at"]).timestamp() * 1000)
            by_source.setdefault(snap["source"], []).append((ms, float(snap["volume"])))
        if not by_source:
            chart.setTitle("No history yet")
            return
        chart.setTitle("Volume per source")
        x_axis = QDateTimeAxis()
        x_axis.setFormat("MMM d HH:mm")
        x_axis.setTickCount(4)
        y_axis = QValueAxis()
        y_axis.setLabelFormat("%.0f")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        xs = [x for pts in by_source.values() for x, _ in pts]
        ys = [y for pts in by_source.values() for _, y in pts]
        for source, pts in by_source.items():
            series = QLineSeries()
            series.setName(SOURCE_LABELS.get(SourceName(source), source) if source in SourceName._value2member_map_ else source)
            series.setPointsVisible(True)
            for x, y in pts:
                series.append(x, y)
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        lo, hi = min(xs), max(xs)
        if hi - lo < 60_000:  # one point: give the axis some width
            lo, hi = lo - 3_600_000, hi + 3_600_000
        x_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(lo)), QDateTime.fromMSecsSinceEpoch(int(hi)))
        y_axis.setRange(0, max(ys) * 1.1 or 1.0)
        y_axis.applyNiceNumbers()  # ticks on round values ("%.0f" of 412.5 read as 413)

    def _on_archive_button_clicked(self) -> None:
        if self._current is None:
            return
        tid, archived = self._current["id"], self._current["archived"]
        svc = self.svc
        fn = svc.unarchive if archived else svc.archive

        def done(t: TrendRow) -> None:
            self.status_message.emit(f"{'Unarchived' if archived else 'Archived'} “{t['title']}”")
            self.show_trend(t["id"])
            self.refresh()

        run_in_background(lambda: fn(tid), done, self._on_error, self)

    def _on_make_button_clicked(self) -> None:
        if self._current is None:
            return
        wf = self.services.workflows
        t = self._current
        answer = MakeTemplateDialog.ask(t["title"], getattr(self, "_current_templates", []), self,
                                        keys=signing_key_aliases(self.services))
        if answer is None:
            return
        names = _workflow_inputs(wf, "trend-to-release")
        inputs: dict[str, Any] = dict(answer)
        note = ""
        if names is None or "trend_id" in names:
            inputs["trend_id"] = t["id"]
        else:  # this version of the workflow picks its own trend: make this one (or a better one) win
            inputs["min_score"] = float(t["score"])
            note = f" (the workflow picks the best emerging trend scoring at least {t['score']:.1f})"
        if names is not None:
            inputs = {k: v for k, v in inputs.items() if k in names}
        try:
            start = getattr(wf, "start")  # noqa: B009 - the workflows area is built in parallel
            run_id = start("trend-to-release", inputs)
        except Exception as exc:  # noqa: BLE001 - shown to the user, who can fix the inputs
            self._on_error(exc)
            return
        self.status_message.emit(f"Started trend-to-release for “{t['title']}” (run {str(run_id)[:12]}){note}")


class _Definitions(Protocol):
    """What the trends panel asks of the workflows area: a definition's declared inputs."""

    def get_definition(self, name: str) -> WorkflowDefinition: ...


def _workflow_inputs(wf: _Definitions, name: str) -> set[str] | None:
    """Input names of a workflow definition, if the workflows service can say."""
    try:
        return {spec.name for spec in wf.get_definition(name).inputs}
    except Exception:  # noqa: BLE001 - not installed or unreadable: pass every input and let start() judge
        return None


def _with_source(source: str, error: str) -> str:
    return error if error.startswith(source) else f"{source}: {error}"


def _short_time(iso: str | None) -> str:
    if not iso:
        return "-"
    return iso.replace("T", " ")[:16]


def create_panel(services: Services) -> QWidget:
    return TrendsPanel(services)
