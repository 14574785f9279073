"""The Templates panel: a lazy, searchable table of templates with details, reviews, a form,
undoable delete/archive, export, CSV export and drag-and-drop import."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDragLeaveEvent, QDropEvent, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.currency import iso_codes
from app.errors import TrendForgeError
from app.events import Event
from app.spreadsheet import write_csv
from app.store.check import CheckReport
from app.templates.model import (
    DuplicatePolicy,
    ImportResult,
    Review,
    SortKey,
    TemplateInfo,
    TemplateQuery,
    TemplateStats,
    TemplateStatus,
    TemplateSummary,
)
from services.files import write_text_atomically
from services.templates.service import TemplatesService
from ui.background import LatestQuery, run_in_background
from ui.colors import Tone, tone_brush, tone_span
from ui.operations import ChangeArea, Changes, operation_hub, run_write
from ui.panels.templates import commands
from ui.panels.templates.detail import TemplateDetails, TemplateReviews
from ui.panels.templates.dropzone import DropZone, local_paths
from ui.panels.templates.form import TemplateForm
from ui.panels.templates.model import PAGE, TemplatesTableModel
from ui.widgets.fitted_columns import fit_columns
from ui.widgets.plain_text import escape, message_box, tooltip

if TYPE_CHECKING:
    from services.bootstrap import Services

T = TypeVar("T")

CSV_FIELDS = ("id", "title", "category", "tags", "status", "version", "price_amount", "price_currency",
              "rating_avg", "rating_count", "updated_at")


class Dialogs:
    """Every modal question the panel asks; tests replace these classmethods."""

    @classmethod
    def ask_import_files(cls, parent: QWidget) -> list[str]:
        files, _ = QFileDialog.getOpenFileNames(parent, "Import templates", "",
                                                "Template packages (*.zip template.json);;All files (*)")
        return files

    @classmethod
    def ask_import_folder(cls, parent: QWidget) -> list[str]:
        folder = QFileDialog.getExistingDirectory(parent, "Import a template folder")
        return [folder] if folder else []

    @classmethod
    def ask_save_path(cls, parent: QWidget, title: str, suggested: str, file_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
        return path or None

    @classmethod
    def ask_duplicate_policy(cls, parent: QWidget, ids: list[str]) -> DuplicatePolicy | None:
        box = message_box(parent, QMessageBox.Icon.Question, "Templates already exist", "")
        box.setText(f"These templates already exist: {', '.join(ids)}.\nReplace them, or keep both (the new ones get a suffix)?")
        replace_btn = box.addButton("Replace", QMessageBox.ButtonRole.DestructiveRole)
        keep_btn = box.addButton("Keep both", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Skip", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        clicked = box.clickedButton()
        if clicked is replace_btn:
            return DuplicatePolicy.REPLACE
        if clicked is keep_btn:
            return DuplicatePolicy.KEEP_BOTH
        return None

    @classmethod
    def edit_template(cls, parent: QWidget, form: TemplateForm) -> bool:
        return form.exec() == TemplateForm.DialogCode.Accepted


class TemplatesPanel(QWidget):
    status_message = Signal(str)
    notify_requested = Signal(str, str)
    imports_finished = Signal(list)  # list[ImportResult], after each import batch
    csv_exported = Signal(str)
    count_updated = Signal(int)
    loaded = Signal()  # a reload's first page is shown (or why it is not)
    refreshed = Signal()  # the rows and categories re-read after a write are shown (or why they are not)
    detail_loaded = Signal(str)  # the selected template's stats and reviews (read in the background) are shown

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.svc: TemplatesService = services.templates
        self.model = TemplatesTableModel(self.svc, self)
        self._reads = LatestQuery(self)
        self._info_reads = LatestQuery(self)  # the selected template: a newer click stops the read before it
        self._detail_reads = LatestQuery(self)  # stats and reviews of the selected template: a newer click stops it
        self._refreshes = LatestQuery(self)  # the rows re-read after a write: a newer write's refresh supersedes it
        self._select_after_refresh: str | None = None
        self.undo_stack = QUndoStack(self)
        self.current: TemplateInfo | None = None
        self._selected_id: str | None = None  # the row chosen last (its detail may still be on its way)
        self.setAcceptDrops(True)

        # -- filters and actions ----------------------------------------------------------
        self.search_edit = QLineEdit(placeholderText="Search title, description, tags, category…")
        self.search_edit.setClearButtonEnabled(True)
        self.category_box = QComboBox()
        self.category_box.setMinimumWidth(160)
        self.category_box.addItem("All categories", "")  # the others come with the first page
        self.archived_check = QCheckBox("Show archived")
        self.deleted_check = QCheckBox("Show deleted")
        self.new_button = QPushButton("&New…")
        self.edit_button = QPushButton("&Edit…")
        self.archive_button = QPushButton("Archive")
        self.delete_button = QPushButton("&Delete")
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        self.export_button = QPushButton("E&xport…")
        self.csv_button = QPushButton("Export CSV…")
        self.import_button = QToolButton()
        self.import_button.setText("&Import…")
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.import_button)
        menu.addAction("Packages (.zip, template.json)…", self.import_files_dialog)
        menu.addAction("Folder…", self.import_folder_dialog)
        self.import_button.setMenu(menu)

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.category_box)
        filters.addWidget(self.archived_check)
        filters.addWidget(self.deleted_check)
        # A tool bar, not a plain row: on a narrow window the buttons that do not fit move into
        # its » menu instead of forcing the whole window wider.
        self.toolbar = QToolBar()
        self.toolbar.setMovable(False)
        for w in (self.new_button, self.edit_button, self.archive_button, self.delete_button, self.undo_button,
                  self.redo_button):
            self.toolbar.addWidget(w)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        for w2 in (self.export_button, self.csv_button, self.import_button):
            self.toolbar.addWidget(w2)

        # -- table ------------------------------------------------------------------------------
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self.model.sort)
        fit_columns(self.table, (140, 110, 100, 150, 60, 55, 70, 80, 110), minimum=(110, 36, 60, 44, 56, 48, 56, 50, 80))
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.drop_zone = DropZone()
        self.results = QListWidget()
        self.results.setMaximumHeight(90)
        self.results.setVisible(False)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.summary)
        ll.addWidget(self.drop_zone)
        ll.addWidget(self.results)

        # -- side pages: built when first needed (see ui/panels/templates/detail.py) --------------
        self._details: TemplateDetails | None = None
        self._reviews: TemplateReviews | None = None
        self._reviews_shown: tuple[TemplateInfo | None, list[Review]] = (None, [])
        placeholder = QLabel("<i>Select a template</i>")  # where the page shows it, until the page is built
        placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        placeholder.setMargin(10)
        self._details_holder = _page_holder(placeholder)
        self._reviews_holder = _page_holder(QWidget())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._details_holder, "Details")
        self.tabs.addTab(self._reviews_holder, "Reviews")
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([860, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)

        # -- wiring ------------------------------------------------------------------------------
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.reload)
        self._live = QTimer(self, singleShot=True, interval=300)
        self._live.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.category_box.currentIndexChanged.connect(self.reload)
        self.archived_check.toggled.connect(self.reload)
        self.deleted_check.toggled.connect(self.reload)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        self.new_button.clicked.connect(self.new_template)
        self.edit_button.clicked.connect(self.edit_current)
        self.archive_button.clicked.connect(self.toggle_archive_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda t: self.undo_button.setToolTip(f"Undo {t}" if t else ""))
        self.export_button.clicked.connect(self.export_current)
        self.csv_button.clicked.connect(self.export_csv_dialog)
        self.drop_zone.paths_dropped.connect(self.import_paths)
        services.bus.published.connect(self._on_bus_event)
        hub_connection = operation_hub().did_execute.connect(self._on_hub_did_execute)
        self.destroyed.connect(lambda *_: QObject.disconnect(hub_connection))
        for seq, slot in ((QKeySequence.StandardKey.Undo, self.undo_stack.undo),
                          (QKeySequence.StandardKey.Redo, self.undo_stack.redo),
                          (QKeySequence.StandardKey.Find, self.search_edit.setFocus)):
            action = QAction(self)
            action.setShortcut(seq)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)

        self._select_after_load: str | None = None
        self._open()

    # -- filters -----------------------------------------------------------------------------
    def current_query(self) -> TemplateQuery:
        statuses = [TemplateStatus.ACTIVE]
        if self.archived_check.isChecked():
            statuses.append(TemplateStatus.ARCHIVED)
        if self.deleted_check.isChecked():
            statuses.append(TemplateStatus.DELETED)
        category = self.category_box.currentData()
        return TemplateQuery(search=self.search_edit.text().strip() or None,
                             category=category or None, statuses=tuple(statuses),
                             sort=self.model.query.sort, limit=PAGE)

    def _open(self) -> None:
        """The first page and the categories, read off the GUI thread by a worker that starts once
        the slice building the panel has ended: the panel is shown at once with an empty table,
        and the rows arrive with :attr:`loaded`."""
        query, svc = self.model.page_query(self.current_query()), self.svc

        def load() -> tuple[list[TemplateSummary], list[tuple[str, int]]]:
            iso_codes()  # the currency table the prices are shown with: parsed here, not by the first paint
            return svc.find(query), svc.categories(include_archived=True)

        def done(result: tuple[list[TemplateSummary], list[tuple[str, int]]]) -> None:
            rows, categories = result
            self._load_categories(categories)
            self._show_page(query, rows)
            self._build_details_soon()

        self._reads.run_soon(load, done, self._on_reload_failed)

    def _load_categories(self, categories: list[tuple[str, int]]) -> None:
        current = self.category_box.currentData()
        self.category_box.blockSignals(True)
        self.category_box.clear()
        self.category_box.addItem("All categories", "")
        for name, n in categories:
            self.category_box.addItem(f"{name} ({n})", name)
        idx = self.category_box.findData(current) if current else 0
        self.category_box.setCurrentIndex(max(idx, 0))
        self.category_box.blockSignals(False)

    @property
    def loading(self) -> bool:
        return self._reads.busy

    def reload(self, *, background: bool = True) -> None:
        """Apply the filters (a new query from the first page). In the background by default (typing
        in the search box): a newer reload supersedes this one, whose query is interrupted."""
        self._debounce.stop()
        query = self.model.page_query(self.current_query())
        if not background:
            self._reads.cancel()
            try:
                rows = self.svc.find(query)
            except TrendForgeError as exc:
                self._on_reload_failed(exc)
                return
            self._show_page(query, rows)
            return
        svc = self.svc
        self._reads.run(lambda: svc.find(query), lambda rows: self._show_page(query, rows), self._on_reload_failed)

    def _on_reload_failed(self, exc: Exception) -> None:
        self.summary.setText(tone_span(Tone.ERROR, escape(exc)))
        self.loaded.emit()

    def _show_page(self, query: TemplateQuery, rows: list[TemplateSummary]) -> None:
        self.model.show(query, rows)
        self._update_summary()
        wanted, self._select_after_load = self._select_after_load, None
        if wanted is None or not self.select_id(wanted):
            self._reselect(self._selected_id)
        self.loaded.emit()

    def refresh(self) -> None:
        """Re-read after a change, off the GUI thread: the loaded rows (updated row by row, so the
        selection and scroll position stay) and the categories."""
        self._live.stop()
        query, svc = self.model.reload_query(), self.svc

        def load() -> tuple[list[TemplateSummary], list[tuple[str, int]]]:
            return svc.find(query), svc.categories(include_archived=True)

        self._refreshes.run(load, lambda result: self._show_refreshed(query, *result), self._on_refresh_failed)

    def _show_refreshed(self, query: TemplateQuery, rows: list[TemplateSummary],
                        categories: list[tuple[str, int]]) -> None:
        if not shiboken6.isValid(self.model):
            return
        self._load_categories(categories)
        self.model.refreshed(query, rows)
        self._update_summary()
        wanted, self._select_after_refresh = self._select_after_refresh, None
        if wanted is None or not self.select_id(wanted):
            self._reselect(self._selected_id)
        self.refreshed.emit()

    def _on_refresh_failed(self, exc: Exception) -> None:
        self._command_failed(exc)
        self.refreshed.emit()

    def _on_hub_did_execute(self, changes: Changes) -> None:
        """A templates write (from this panel or another) committed: re-read the rows shown."""
        if changes.area is ChangeArea.TEMPLATES:
            self.refresh()

    def _write(self, write: Callable[[], T], ids: Callable[[T], Iterable[str]], on_done: Callable[[T], None],
               on_error: Callable[[Exception], None] | None = None) -> None:
        """One templates write off the GUI thread; its Changes refresh the table (see _on_hub_did_execute)."""
        run_write(self, write, area=ChangeArea.TEMPLATES, ids=ids, on_done=on_done,
                  on_error=on_error or self._command_failed)

    def _update_summary(self) -> None:
        """Exact when everything is loaded; otherwise counted off the GUI thread."""
        shown = self.model.rowCount()
        if self.model.exhausted:
            self._show_total(self.model.query, shown)
            return
        self.summary.setText(f"{shown}+ templates — counting…")
        query = self.model.query
        run_in_background(lambda: self.svc.count(query), lambda n: self._show_total(query, n),
                          self._command_failed, self)

    def _show_total(self, query: TemplateQuery, total: int) -> None:
        if query != self.model.query:
            return  # a newer search replaced this one
        shown = self.model.rowCount()
        more = f" — {shown} loaded, scroll for more" if shown < total else ""
        self.summary.setText(f"{total} template{'s' if total != 1 else ''}{more}")
        self.count_updated.emit(total)

    def _reselect(self, template_id: str | None) -> None:
        row = self.model.row_of(template_id) if template_id else -1
        if row >= 0:
            self.table.selectRow(row)
            self.show_detail(template_id)
        else:
            self.table.clearSelection()
            self.show_detail(None)

    def select_item(self, item_id: str) -> None:
        """Select template ``item_id``, clearing a search that hides it."""
        if self.loading and not self.search_edit.text():
            self._select_after_load = item_id  # selected when the page being read is shown
            return
        if not self.select_id(item_id):
            self.search_edit.clear()
            self.reload(background=False)
            self.select_id(item_id)

    def select_id(self, template_id: str) -> bool:
        row = self.model.row_of(template_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    # -- detail and reviews -------------------------------------------------------------------
    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        summary = self.model.summary_at(current.row())
        self.show_detail(summary.id if summary else None)

    def show_detail(self, template_id: str | None) -> None:
        """Show ``template_id``'s detail, read off the GUI thread (a newer click stops the read before it)."""
        self._selected_id = template_id  # kept by a re-read of the rows while its detail is on its way
        if not template_id:
            self._info_reads.cancel()
            self._show_info(None)
            return
        svc = self.svc

        def load() -> tuple[TemplateInfo, Path | None] | None:
            try:
                info = svc.get(template_id, include_deleted=True)
            except TrendForgeError:
                return None  # gone meanwhile (deleted elsewhere): nothing is selected
            return info, svc.preview_path(info.id) if info.preview else None

        self._info_reads.run(load, self._show_info, self._on_detail_failed)

    def _show_info(self, loaded: tuple[TemplateInfo, Path | None] | None) -> None:
        info, preview = loaded if loaded is not None else (None, None)
        self.current = info
        has = info is not None
        for w in (self.edit_button, self.archive_button, self.delete_button, self.export_button):
            w.setEnabled(has)
        if self._reviews is not None:
            self._reviews.review_button.setEnabled(has)
        if info is None:
            self._detail_reads.cancel()
            if self._details is not None:
                self._details.show_none()
            self._show_reviews(None, [])
            return
        self.archive_button.setText("Unarchive" if info.status is TemplateStatus.ARCHIVED else "Archive")
        self.delete_button.setEnabled(info.status is not TemplateStatus.DELETED)
        self.details.show_info(info, preview)
        self._load_stats_and_reviews(info)
        self._check_release(info.id)

    # -- the side pages, built when first needed ------------------------------------------------
    @property
    def details(self) -> TemplateDetails:
        """The Details page (built now if it was not yet)."""
        if self._details is None:
            self._details = TemplateDetails()
            _swap_page(self._details_holder, self._details)
        return self._details

    @property
    def reviews(self) -> TemplateReviews:
        """The Reviews page (built now if it was not yet), showing the selected template's reviews."""
        if self._reviews is None:
            self._reviews = TemplateReviews()
            self._reviews.review_button.clicked.connect(self.add_review)
            self._reviews.review_button.setEnabled(self.current is not None)
            self._reviews.show_reviews(*self._reviews_shown)
            _swap_page(self._reviews_holder, self._reviews)
        return self._reviews

    @property
    def pages_built(self) -> tuple[bool, bool]:
        """Whether the Details and the Reviews pages exist yet."""
        return self._details is not None, self._reviews is not None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.loading:
            self._build_details_soon()

    def _build_details_soon(self) -> None:
        """The Details page in a slice of its own, once the panel is shown and its first page read
        (not beside the worker that reads it)."""
        if self._details is None and self.isVisible():
            QTimer.singleShot(0, self, lambda: self.details)

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self._reviews_holder and self._reviews is None:
            _ = self.reviews  # built the first time its tab is shown

    def _load_stats_and_reviews(self, info: TemplateInfo) -> None:
        """The figures other areas keep (sales, builds) and the reviews, read off the GUI thread."""
        svc, template_id = self.svc, info.id

        def load() -> tuple[TemplateStats | None, list[Review]]:
            return svc.stats([template_id]).get(template_id), svc.reviews(template_id)

        def done(result: tuple[TemplateStats | None, list[Review]]) -> None:
            if self.current is None or self.current.id != template_id:
                return
            stats, reviews = result
            self.details.show_stats(stats)
            self._show_reviews(info, reviews)
            self.detail_loaded.emit(template_id)

        self._detail_reads.run(load, done, self._on_detail_failed)

    def _on_detail_failed(self, exc: Exception) -> None:
        self.status_message.emit(f"Templates: {exc}")

    def _check_release(self, template_id: str) -> None:
        builds = self.services.builds
        checklist = self.details.release_checklist
        checklist.show_pending(template_id)

        def done(report: CheckReport) -> None:
            if self.current is not None and self.current.id == report.template_id:
                checklist.show_report(report)

        def failed(exc: Exception) -> None:
            if self.current is not None and self.current.id == template_id:
                checklist.show_message(str(exc))

        run_in_background(lambda: builds.check_release(template_id, "aab", deploy="play:production"),
                          done, failed, self)

    def _show_reviews(self, info: TemplateInfo | None, reviews: list[Review]) -> None:
        self._reviews_shown = (info, reviews)
        if self._reviews is not None:
            self._reviews.show_reviews(info, reviews)

    def add_review(self) -> None:
        if self.current is None:
            return
        svc, template_id = self.svc, self.current.id
        page = self.reviews
        rating, text, reviewer = page.rating_spin.value(), page.review_text.text(), page.reviewer_edit.text()
        page.review_button.setEnabled(False)

        def saved(_review: Review) -> None:
            page.review_button.setEnabled(True)
            page.review_error.setText("")
            page.review_text.clear()
            self.status_message.emit(f"Review saved for {template_id}")

        def refused(exc: Exception) -> None:
            page.review_button.setEnabled(True)
            page.review_error.setText(str(exc))

        self._write(lambda: svc.add_review(template_id, rating, text, reviewer=reviewer),
                    ids=lambda _review: (template_id,), on_done=saved, on_error=refused)

    # -- create / edit -------------------------------------------------------------------------
    def _categories(self) -> list[str]:
        return [c for c, _ in self.svc.categories(include_archived=True)]

    def new_template(self) -> TemplateInfo | None:
        bases = [(t.id, t.title) for t in self.svc.find(TemplateQuery(sort=SortKey.TITLE, limit=500))]
        holder: list[TemplateForm] = []

        svc = self.svc

        def save(manifest: dict[str, Any]) -> TemplateInfo:  # on a worker: the base was read at Save
            return svc.create(manifest, base_id=holder[0].chosen_base)

        form = TemplateForm(save, categories=self._categories(), bases=bases, parent=self)
        holder.append(form)
        if not Dialogs.edit_template(self, form):
            return None
        info = form.result_value
        if info is None:
            return None
        self.status_message.emit(f"Created template {info.id}")
        self.current = info
        self._select_after_refresh = info.id  # its row comes with the refresh its Changes started
        return info

    def edit_current(self) -> TemplateInfo | None:
        if self.current is None:
            return None
        template_id = self.current.id
        opened = self.current.row_version  # someone else's save since then refuses this one (team mode)

        svc = self.svc

        def save(manifest: dict[str, Any]) -> TemplateInfo:  # on a worker
            manifest.pop("id", None)
            return svc.update(template_id, manifest, expected_version=opened)

        form = TemplateForm(save, initial=self.current, categories=self._categories(), parent=self)
        if not Dialogs.edit_template(self, form):
            return None
        self.status_message.emit(f"Saved template {template_id}")
        return form.result_value

    # -- archive / delete with undo ---------------------------------------------------------------
    def _command_failed(self, exc: Exception) -> None:
        self.status_message.emit(str(exc))
        self.summary.setText(tone_span(Tone.ERROR, escape(exc)))

    def delete_current(self) -> None:
        if self.current is None:
            return
        info = self.current
        self._undoable(f"Delete “{info.title}”", info.id, commands.delete(self.svc, info.id),
                       f"Deleted {info.id} (Undo brings it back)")

    def toggle_archive_current(self) -> None:
        if self.current is None:
            return
        info = self.current
        archive = info.status is TemplateStatus.ACTIVE
        verb = "Archive" if archive else "Unarchive"
        self._undoable(f"{verb} “{info.title}”", info.id, commands.archive(self.svc, info.id, archive),
                       f"{verb}d {info.id} (Undo takes it back)")

    def _undoable(self, text: str, template_id: str, calls: tuple[commands.ServiceCall, commands.ServiceCall],
                  done_message: str) -> None:
        """Run ``calls[0]`` in the background; once committed, push the command whose undo runs ``calls[1]``
        (a refused write leaves nothing on the undo stack)."""
        def write(call: commands.ServiceCall) -> None:
            self._write(call, ids=lambda _info: (template_id,), on_done=lambda _info: None)

        def done(_info: TemplateInfo) -> None:
            self.undo_stack.push(commands.undoable(text, calls, write))
            self.status_message.emit(done_message)

        self._write(calls[0], ids=lambda _info: (template_id,), on_done=done)

    # -- export -------------------------------------------------------------------------------------
    def export_current(self) -> Path | None:
        if self.current is None:
            return None
        info = self.current
        dest = Dialogs.ask_save_path(self, "Export template", f"{info.id}-{info.version}.zip", "Zip packages (*.zip)")
        if not dest:
            return None
        if not dest.lower().endswith(".zip"):
            dest += ".zip"
        try:
            path = self.svc.export(info.id, dest)
        except TrendForgeError as exc:
            self._command_failed(exc)
            return None
        self.status_message.emit(f"Exported {info.id} to {path}")
        return path

    def export_csv_dialog(self) -> None:
        dest = Dialogs.ask_save_path(self, "Export table as CSV", "templates.csv", "CSV files (*.csv)")
        if dest:
            self.export_csv(dest)

    def export_csv(self, dest: str) -> None:
        """Write every row matching the current filters (not only the loaded ones), off the GUI thread."""
        query = replace(self.model.query, limit=2000, offset=0)
        svc = self.svc

        def work() -> int:
            return write_text_atomically(
                Path(dest), lambda fh: write_csv(fh, CSV_FIELDS, (_csv_row(t) for t in _all_pages(svc, query))))

        def done(n: int) -> None:
            self.status_message.emit(f"Wrote {n} templates to {dest}")
            self.csv_exported.emit(dest)

        run_in_background(work, done, self._command_failed, self)

    # -- import -----------------------------------------------------------------------------------------
    def import_files_dialog(self) -> None:
        paths = Dialogs.ask_import_files(self)
        if paths:
            self.import_paths(paths)

    def import_folder_dialog(self) -> None:
        paths = Dialogs.ask_import_folder(self)
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[str], policy: DuplicatePolicy = DuplicatePolicy.ERROR) -> None:
        """Import in the background; per-file results appear under the drop zone."""
        paths = [str(p) for p in paths]
        self.drop_zone.label.setText(f"Importing {len(paths)} item{'s' if len(paths) != 1 else ''}…")
        svc = self.svc
        self._write(lambda: svc.import_paths(paths, on_duplicate=policy),
                    ids=lambda results: [r.template_id for r in results if r.ok and r.template_id],
                    on_done=lambda results: self._on_imported(results, policy), on_error=self._on_import_failed)

    def _on_imported(self, results: list[ImportResult], policy: DuplicatePolicy) -> None:
        self.drop_zone._set_active(False)
        if policy is DuplicatePolicy.ERROR:
            self.results.clear()
        self.results.setVisible(True)
        dups = [r for r in results if r.duplicate]
        for r in results:
            if r.duplicate and policy is DuplicatePolicy.ERROR:
                continue
            name = Path(r.source).name
            if r.ok:
                how = " (replaced)" if r.replaced else (f" (as {r.template_id})" if r.renamed_from else "")
                item = QListWidgetItem(f"✔ {name}: imported {r.template_id}{how}")
                item.setForeground(tone_brush(Tone.OK))
            elif r.skipped:
                item = QListWidgetItem(f"- {name}: skipped ({r.skipped})")
            else:
                item = QListWidgetItem(f"✖ {name}: {r.error}")
                item.setForeground(tone_brush(Tone.ERROR))
            item.setToolTip(tooltip(r.source if r.ok or r.skipped else f"{r.source}\n{r.error}"))
            self.results.addItem(item)
        ok = [r for r in results if r.ok]
        results = [r for r in results if not r.skipped]  # the counts are of packages
        if ok:
            self._select_after_refresh = ok[-1].template_id  # the refresh its Changes started brings the row
        self.status_message.emit(f"Imported {len(ok)} of {len(results)}")
        if len(results) > 1 or not ok:
            self.notify_requested.emit("Templates import", f"Imported {len(ok)} of {len(results)} packages")
        if dups and policy is DuplicatePolicy.ERROR:
            choice = Dialogs.ask_duplicate_policy(self, [Path(r.source).name for r in dups])
            if choice is not None:
                self.imports_finished.emit(results)
                self.import_paths([r.source for r in dups], choice)
                return
            for r in dups:
                item = QListWidgetItem(f"- {Path(r.source).name}: skipped (id already exists)")
                self.results.addItem(item)
        self.imports_finished.emit(results)

    def _on_import_failed(self, exc: Exception) -> None:
        self.drop_zone._set_active(False)
        self.results.setVisible(True)
        self.results.addItem(QListWidgetItem(f"✖ import failed: {exc}"))
        self.imports_finished.emit([])

    # -- drag and drop anywhere on the panel --------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        paths = local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.drop_zone._set_active(True, len(paths))
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_zone._set_active(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_zone.dropEvent(event)

    # -- live updates -----------------------------------------------------------------------------------------
    def _on_bus_event(self, event: Event) -> None:
        if event.type.startswith(("template.", "review.")) and event.type != "template.exported":
            self._live.start()


def _all_pages(svc: TemplatesService, query: TemplateQuery) -> Iterator[TemplateSummary]:
    offset = 0
    while True:
        page = svc.find(replace(query, offset=offset))
        yield from page
        if len(page) < query.limit:
            return
        offset += len(page)


def _csv_row(t: TemplateSummary) -> list[object]:
    d = t.to_dict()
    d["tags"] = ";".join(t.tags)
    return [d[f] for f in CSV_FIELDS]


def _page_holder(placeholder: QWidget) -> QWidget:
    """A tab's page that shows ``placeholder`` until :func:`_swap_page` puts the real page in."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(placeholder)
    return holder


def _swap_page(holder: QWidget, page: QWidget) -> None:
    layout = holder.layout()
    assert layout is not None
    while (item := layout.takeAt(0)) is not None:
        old = item.widget()
        if old is not None:
            old.deleteLater()
    layout.addWidget(page)


def create_panel(services: Services) -> QWidget:
    return TemplatesPanel(services)
