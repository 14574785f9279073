"""The Builds panel: queue and history, per-build progress, live log, actions, stats, keys."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.builds.model import BuildInfo, BuildState, Platform
from app.builds.outcome import IN_PROGRESS, RETRYABLE
from app.builds.progress import BuildStats, format_seconds
from app.errors import TrendForgeError, UserError
from app.events import Event
from app.store.check import CheckReport, ReleaseCheckError
from services.builds.service import BuildsService
from ui.background import LatestQuery, run_in_background
from ui.colors import Tone, tone_style
from ui.operations import ChangeArea, Changes, operation_hub, run_write
from ui.panels.builds.keys_dialog import KeysDialog
from ui.panels.builds.log_view import LogView
from ui.panels.builds.model import COLUMN_SAMPLES, COLUMNS, PROGRESS_COLUMN, ROLE_INFO, ROLE_PERCENT, BuildsTableModel
from ui.remedies import remedy_of
from ui.widgets.fitted_columns import fit_columns
from ui.widgets.links import BUILD_LINKS, LinksButton
from ui.widgets.plain_text import plain_label
from ui.widgets.progress_strip import ProgressStrip, progress_option
from ui.widgets.release_checklist import ReleaseChecklist

if TYPE_CHECKING:
    from services.bootstrap import Services

_FINAL_TITLES = {
    BuildState.SIGNED: "Build signed",
    BuildState.DEPLOYED: "Build deployed",
    BuildState.FAILED: "Build failed",
    BuildState.CANCELLED: "Build cancelled",
    BuildState.BUILT: "Build finished",
}


class ProgressDelegate(QStyledItemDelegate):
    """Draws the Progress column as a progress bar."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        percent = index.data(ROLE_PERCENT)
        if percent is None:
            super().paint(painter, option, index)
            return
        bar = progress_option(option.rect.adjusted(2, 3, -2, -3), percent)
        style = QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class BuildsPanel(QWidget):
    status_message = Signal(str)
    remedy_offered = Signal(object)  # Remedy: what to do about the error just shown
    notify_requested = Signal(str, str)
    loaded = Signal()  # the builds table and stats were shown
    log_loaded = Signal(str)  # the selected build's log (from its file) was shown
    open_requested = Signal(object)  # ItemRef: the window shows it in its panel

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.service: BuildsService = services.builds
        self.model = BuildsTableModel(self)
        self._selected: str | None = None
        self._reads = LatestQuery(self)  # the table and stats: a newer reload stops the one before
        self._log_reads = LatestQuery(self)  # the selected build's log: a newer click drops the one before
        self._key_reads = LatestQuery(self)  # the signing keys: a newer read drops the one before
        # live lines of the selected build that came before its log was read from the file (see _show_log)
        self._pending_log: list[str] | None = None
        self._unsubscribe: list[Any] = []

        # -- new build form ------------------------------------------------------------------
        self.template_box = QComboBox()
        self.template_box.setEditable(True)
        self.template_box.setMinimumWidth(160)
        self.template_box.lineEdit().setPlaceholderText("template id")  # type: ignore[union-attr]
        self.version_edit = QLineEdit("1.0.0")
        self.version_edit.setMaximumWidth(90)
        self.platform_box = QComboBox()
        self.platform_box.addItems([p.value for p in Platform])
        self.key_box = QComboBox()
        self.key_box.setMinimumWidth(110)
        self.deploy_edit = QLineEdit()
        self.deploy_edit.setPlaceholderText("deploy: folder:DIR | adb | play:TRACK (optional)")
        self.build_button = QPushButton("&Build")
        self.build_button.setDefault(True)
        self.build_button.clicked.connect(self._on_build_clicked)
        self.keys_button = QPushButton("Ke&ys…")
        self.keys_button.clicked.connect(self._on_keys_clicked)
        self.deploy_edit.setAccessibleName("Deploy to")
        form = QHBoxLayout()
        # each field named for screen readers and reached with Alt+its letter (V&ersion: Alt+V opens View)
        for label, w in (("&Template", self.template_box), ("V&ersion", self.version_edit),
                         ("&Platform", self.platform_box), ("&Key", self.key_box)):
            caption = QLabel(label)
            caption.setBuddy(w)
            w.setAccessibleName(label.replace("&", ""))
            form.addWidget(caption)
            form.addWidget(w)
        form.addWidget(self.deploy_edit, 1)
        form.addWidget(self.build_button)
        form.addWidget(self.keys_button)

        # -- queue/history table --------------------------------------------------------------
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self.table))
        self.table.verticalHeader().setVisible(False)
        # sized from samples, not ResizeToContents (it sized every row); kept inside the viewport, Progress takes the rest
        metrics = self.table.fontMetrics()
        widths = [max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(COLUMNS[col])) + 24
                  for col, sample in enumerate(COLUMN_SAMPLES)]
        self.table.horizontalHeader().setMinimumSectionSize(20)
        fit_columns(self.table, widths, stretch=PROGRESS_COLUMN)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)

        # -- details of the selected build ------------------------------------------------------
        self.title = plain_label("Select a build")
        self.title.setStyleSheet("font-weight: bold")
        self.progress = ProgressStrip()  # repainted with the next frame, not at each progress signal
        self.step_label = plain_label("-")
        self.time_label = QLabel("-")
        self.artifact_label = plain_label("-")
        self.artifact_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint_label = plain_label("-")
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = plain_label("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(tone_style(Tone.ERROR))
        for wide in (self.error_label, self.artifact_label, self.fingerprint_label, self.title):
            # long paths and messages must not widen the details side at the table's expense
            wide.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.retry_button = QPushButton("&Retry")
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.open_button = QPushButton("Open artifact fol&der")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.copy_button = QPushButton("Copy fin&gerprint")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        details = QFormLayout()
        details.addRow(self.title)
        details.addRow("Progress", self.progress)
        details.addRow("Step", self.step_label)
        details.addRow("Elapsed / ETA", self.time_label)
        details.addRow("Artifact", self.artifact_label)
        details.addRow("Certificate", self.fingerprint_label)
        details.addRow(self.error_label)
        self.links = LinksButton(self, self.table, BUILD_LINKS, self._link_targets)
        self.links.open_requested.connect(self.open_requested)
        # two rows of buttons, not one: a row of all five was the details side's minimum width, which left the
        # table ~280 px of a 960 px window
        actions = QVBoxLayout()
        for row_buttons in ((self.cancel_button, self.retry_button, self.links), (self.open_button, self.copy_button)):
            row = QHBoxLayout()
            for b in row_buttons:
                row.addWidget(b)
            row.addStretch(1)
            actions.addLayout(row)
        details.addRow(actions)
        details_box = QGroupBox("Build")
        details_box.setLayout(details)
        self.log = LogView()
        log_box = QGroupBox("Log")
        QVBoxLayout(log_box).addWidget(self.log)
        # the release check of what the form would build, refreshed (off the GUI thread) as it changes
        self.release_checklist = ReleaseChecklist()
        check_box = QGroupBox("Release check")
        QVBoxLayout(check_box).addWidget(self.release_checklist)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(300)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self._check_request: tuple[str, str, str | None, str | None] | None = None
        self.template_box.currentTextChanged.connect(self._check_timer.start)
        self.platform_box.currentTextChanged.connect(self._check_timer.start)
        self.version_edit.textChanged.connect(self._check_timer.start)
        self.deploy_edit.textChanged.connect(self._check_timer.start)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(check_box)
        right.addWidget(details_box)
        right.addWidget(log_box)
        right.setStretchFactor(0, 0)
        right.setStretchFactor(1, 3)
        details_box.setMinimumHeight(details_box.sizeHint().height() + self.error_label.fontMetrics().height())

        # -- stats -------------------------------------------------------------------------------
        self.stats_table = QTableWidget(0, 7)
        self.stats_table.setHorizontalHeaderLabels(
            ["Template", "Platform", "Builds", "Success rate", "Mean", "p95", "Failed / cancelled"])
        self.stats_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.stats_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.stats_table.verticalHeader().setVisible(False)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.tabs = QTabWidget()
        self.tabs.addTab(split, "Queue and history")
        self.tabs.addTab(self.stats_table, "Statistics")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)

        # -- live updates ------------------------------------------------------------------------------
        runner = self.service.runner
        runner.progressed.connect(self._on_runner_progressed)
        runner.log_lines.connect(self._on_runner_log_lines)
        runner.job_finished.connect(self._on_runner_job_finished)
        self._unsubscribe.append(services.bus.subscribe("build.*", self._on_bus_event))
        self._unsubscribe.append(services.bus.subscribe("key.*", lambda _e: self._reload_keys()))
        changes = operation_hub().did_execute.connect(self._on_hub_did_execute)
        self._unsubscribe.append(lambda: QObject.disconnect(changes))
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(150)
        self._reload_timer.timeout.connect(self.reload)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._tick.start()
        self.destroyed.connect(lambda *_: [u() for u in self._unsubscribe])
        self._update_actions(None)
        # the first reads start once the slice that builds and shows the panel has ended: a worker
        # turning 500 builds into rows holds the GIL, which every Python call of the show and its
        # layout (size hints, header data) waited for
        self.reload(soon=True)
        self._reload_keys(soon=True)

    # -- loading ----------------------------------------------------------------------------------------
    def reload(self, *, soon: bool = False) -> None:
        """Read the builds, their stats and the known templates (``soon``: see LatestQuery.run_soon)."""
        svc = self.service

        known = self._known_templates

        def load() -> tuple[list[BuildInfo], list[BuildStats], set[str]]:
            return svc.list_builds(limit=500), svc.stats(), known()

        (self._reads.run_soon if soon else self._reads.run)(load, self._show, self._on_error)

    def _show(self, data: tuple[list[BuildInfo], list[BuildStats], set[str]]) -> None:
        builds, stats, known = data
        keep = self._selected
        self.model.set_builds(builds)
        self._show_stats(stats)
        templates = sorted({b.template_id for b in builds} | known)
        current = self.template_box.currentText()
        self.template_box.blockSignals(True)
        self.template_box.clear()
        self.template_box.addItems(templates)
        self.template_box.setCurrentText(current or (templates[0] if templates else ""))
        self.template_box.blockSignals(False)
        row = self.model.row_of(keep) if keep else (0 if builds else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._on_tick_timeout()
        self._refresh_details()
        self.loaded.emit()

    def _known_templates(self) -> set[str]:
        """Ids of the active templates (runs off the GUI thread)."""
        try:
            return {t.id for t in self.services.templates.find()}
        except TrendForgeError:
            return set()

    def _show_stats(self, stats: list[BuildStats]) -> None:
        self.stats_table.setRowCount(len(stats))
        for row, s in enumerate(stats):
            rate = "-" if s.success_rate is None else f"{100 * s.success_rate:.0f}%"
            values = [s.template_id, s.platform, str(s.builds), rate, format_seconds(s.mean_s),
                      format_seconds(s.p95_s), f"{s.failed} / {s.cancelled}"]
            for col, value in enumerate(values):
                self.stats_table.setItem(row, col, QTableWidgetItem(value))

    def _reload_keys(self, *, soon: bool = False) -> None:
        (self._key_reads.run_soon if soon else self._key_reads.run)(self.service.list_keys, self._show_keys, self._on_error)

    def _show_keys(self, keys: list[Any]) -> None:
        current = self.key_box.currentText()
        self.key_box.clear()
        self.key_box.addItems([k.alias for k in keys])
        if current:
            self.key_box.setCurrentText(current)

    # -- selection and details ---------------------------------------------------------------------------
    def select_item(self, item_id: str) -> None:
        """Select build ``item_id`` (kept across the reload that brings it in)."""
        self._selected = item_id
        row = self.model.row_of(item_id)
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.reload()

    def selected(self) -> BuildInfo | None:
        return self.model.info(self.model.row_of(self._selected)) if self._selected else None

    def _on_table_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        info = current.data(ROLE_INFO) if current.isValid() else None
        new = info.id if info is not None else None
        if new == self._selected:
            self._refresh_details()
            return
        self._select(new)
        self._refresh_details()

    def _select(self, build_id: str | None) -> None:
        """Show ``build_id``'s log from its file, and from now on its live lines only."""
        self._selected = build_id
        self._pending_log = [] if build_id is not None else None
        self.log.clear()
        if build_id is None:
            self._log_reads.cancel()
        else:
            svc, max_lines = self.service, self.log.max_lines
            self._log_reads.run(lambda: svc.log_tail(build_id, max_lines), lambda lines: self._show_log(build_id, lines),
                                lambda exc: self._on_log_unreadable(build_id, exc))

    def _on_log_unreadable(self, build_id: str, exc: Exception) -> None:
        self._show_log(build_id, [])  # the live lines still show
        self._on_error(exc)

    def _show_log(self, build_id: str, lines: list[str]) -> None:
        """The file's lines, then the live lines that came while it was read (those it already holds once)."""
        if build_id != self._selected:
            return
        pending, self._pending_log = self._pending_log or [], None
        overlap = next((k for k in range(min(len(lines), len(pending)), 0, -1) if lines[-k:] == pending[:k]), 0)
        self.log.set_text(lines + pending[overlap:])
        self.log_loaded.emit(build_id)

    def _refresh_details(self) -> None:
        info = self.selected()
        self._update_actions(info)
        if info is None:
            self.title.setText("Select a build")
            return
        step, percent = self.model.step_and_percent(info)
        self.title.setText(f"{info.template_id} {info.version_name} · {info.platform.value} · {info.state.value}")
        self.progress.setValue(int(percent))
        self.step_label.setText(step or "-")
        elapsed, eta = self.service.eta(info, percent=percent)
        self.time_label.setText(f"{format_seconds(elapsed)} / {format_seconds(eta) if IN_PROGRESS(info) else 'done'}")
        self.artifact_label.setText(info.artifact_path or "-")
        self.fingerprint_label.setText(info.fingerprint or "-")
        self.error_label.setText(info.error or "")

    def _update_actions(self, info: BuildInfo | None) -> None:
        self.cancel_button.setEnabled(info is not None and IN_PROGRESS(info))
        self.retry_button.setEnabled(info is not None and RETRYABLE(info))
        self.open_button.setEnabled(info is not None and bool(info.artifact_path))
        self.copy_button.setEnabled(info is not None and bool(info.fingerprint))
        self.links.update_state()

    def _link_targets(self) -> dict[str, str | None]:
        info = self.selected()
        if info is None:
            return {}
        return {"template": info.template_id, "run": info.run_id, "events": info.id}

    # -- live signals ---------------------------------------------------------------------------------------
    def _on_runner_progressed(self, build_id: str, step: str, percent: float) -> None:
        self.model.set_progress(build_id, step, percent)
        if build_id == self._selected:
            self.progress.setValue(int(percent))
            self.step_label.setText(step)

    def _on_runner_log_lines(self, build_id: str, lines: list[str]) -> None:
        if build_id != self._selected:
            return
        if self._pending_log is not None:  # its file is being read: keep them until it is shown
            self._pending_log.extend(lines)
        else:
            self.log.append_lines(lines)

    def _on_runner_job_finished(self, build_id: str, state: str) -> None:
        self.log.flush()
        self.reload()
        svc = self.service
        run_in_background(lambda: svc.get(build_id), self._notify_finished, self._on_error, self)

    def _notify_finished(self, info: BuildInfo) -> None:
        title = _FINAL_TITLES.get(info.state, "Build finished")
        detail = f"{info.template_id} {info.version_name} ({info.platform.value})"
        if info.error:
            detail += f": {info.error}"
        self.notify_requested.emit(title, detail)
        self.status_message.emit(f"{title}: {detail}")

    def _on_bus_event(self, event: Event) -> None:
        if event.type != "build.progressed":
            self._reload_timer.start()

    def _on_tick_timeout(self) -> None:
        now = self.service.ctx.clock()
        times: dict[str, tuple[float, float | None]] = {}
        for b in self.model.builds():
            if IN_PROGRESS(b) and b.started_at:
                _step, percent = self.model.step_and_percent(b)
                times[b.id] = self.service.eta(b, now, percent=percent)
        if times:
            self.model.set_times(times)
            if self._selected in times:
                elapsed, eta = times[self._selected]
                self.time_label.setText(f"{format_seconds(elapsed)} / {format_seconds(eta)}")

    # -- actions ---------------------------------------------------------------------------------------------
    def _on_build_clicked(self) -> None:
        template_id = self.template_box.currentText().strip()
        version = self.version_edit.text().strip()
        platform = self.platform_box.currentText()
        key = self.key_box.currentText() or None
        deploy = self.deploy_edit.text().strip() or None
        svc = self.service

        def start() -> BuildInfo:
            # off the GUI thread: a Play deploy first asks Play for its highest versionCode
            return svc.start_build(template_id, version, platform, key_alias=key, deploy=deploy)

        def queued(info: BuildInfo) -> None:
            self._select(info.id)  # the new build's log replaces the one shown, never appends to it
            self.status_message.emit(f"build {info.id[:8]} queued: {template_id} {version} ({platform})")

        def refused(exc: Exception) -> None:
            if isinstance(exc, ReleaseCheckError):
                self.release_checklist.show_report(exc.report)  # every problem, not only the first
            self._on_error(exc)

        run_write(self, start, area=ChangeArea.BUILDS, ids=lambda info: (info.id,), on_done=queued, on_error=refused)

    def _on_check_timer_timeout(self) -> None:
        template_id = self.template_box.currentText().strip()
        if not template_id:
            self.release_checklist.show_message("Choose a template to check it")
            return
        platform = self.platform_box.currentText()
        deploy = self.deploy_edit.text().strip() or None
        version = self.version_edit.text().strip() or None
        request = (template_id, platform, deploy, version)
        self._check_request = request
        self.release_checklist.show_pending(template_id)
        svc = self.service

        def check() -> CheckReport:
            try:
                return svc.check_release(template_id, platform, deploy=deploy, version=version)
            except UserError:
                if version is None:
                    raise
                return svc.check_release(template_id, platform, deploy=deploy)  # a version still being typed

        def done(report: CheckReport) -> None:
            if self._check_request == request:
                self.release_checklist.show_report(report)

        def failed(exc: Exception) -> None:
            if self._check_request == request:
                self.release_checklist.show_message(str(exc))

        run_in_background(check, done, failed, self)

    def _on_cancel_clicked(self) -> None:
        info = self.selected()
        if info is None:
            return
        svc, build_id = self.service, info.id
        run_write(self, lambda: svc.cancel(build_id), area=ChangeArea.BUILDS, ids=lambda done: (done.id,),
                  on_done=lambda _done: self.status_message.emit(f"cancelling build {build_id[:8]}"),
                  on_error=self._on_error)

    def _on_retry_clicked(self) -> None:
        info = self.selected()
        if info is None:
            return
        svc, build_id = self.service, info.id

        def retried(new: BuildInfo) -> None:
            self._select(new.id)
            self.status_message.emit(f"build {new.id[:8]} queued: retry of {build_id[:8]}")

        run_write(self, lambda: svc.retry(build_id), area=ChangeArea.BUILDS, ids=lambda new: (build_id, new.id),
                  on_done=retried, on_error=self._on_error)

    def _on_hub_did_execute(self, changes: Changes) -> None:
        """A write (from this panel or another) committed: refresh the rows of the builds it touched."""
        if changes.area is not ChangeArea.BUILDS or not changes.ids:
            return
        svc, ids = self.service, changes.ids

        def load() -> list[BuildInfo]:
            return [svc.get(build_id) for build_id in ids]

        run_in_background(load, self._on_changed_builds_loaded, self._on_error, self)

    def _on_changed_builds_loaded(self, changed: list[BuildInfo]) -> None:
        self.model.update_builds(changed)
        if self._selected is not None:
            row = self.model.row_of(self._selected)
            if row >= 0:
                self.table.selectRow(row)

    def _on_open_clicked(self) -> None:
        info = self.selected()
        if info is not None and info.artifact_path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(info.artifact_path).parent)))

    def _on_copy_clicked(self) -> None:
        info = self.selected()
        if info is not None and info.fingerprint:
            QGuiApplication.clipboard().setText(info.fingerprint)
            self.status_message.emit("certificate fingerprint copied")

    def _on_keys_clicked(self) -> None:
        self.open_keys()

    def open_keys(self) -> None:
        """The signing keys dialog (create, import, back up); a remedy for a missing key opens it too."""
        KeysDialog(self.service, self).exec()
        self._reload_keys()

    def _on_error(self, exc: Exception) -> None:
        self.error_label.setText(str(exc))
        self.status_message.emit(f"error: {exc}")
        self.remedy_offered.emit(remedy_of(exc))


def create_panel(services: Services) -> QWidget:
    return BuildsPanel(services)
