"""The Workflows panel: definitions with a step diagram, run dialog, runs table, step timeline, repair buttons.

Runs execute on the qasync loop of the GUI (the engine schedules asyncio tasks); the panel
only starts/repairs them and refreshes from ``workflow.*`` events on the bus. The definitions
(with each one's steps, for the diagram), the runs table and the selected run's timeline are read
in the background (``LatestQuery``): a newer refresh or click stops the read before it, so a
studio's 10,000 runs never stall the GUI thread, and opening the panel runs no SQL on it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import NotIdempotentError, TrendForgeError
from app.events import Event
from app.jsonvalue import JsonObject, JsonValue, as_array, as_object
from app.workflows.links import run_links
from services.workflows.service import WorkflowsService
from ui.background import LatestQuery
from ui.colors import Tone, tone_span
from ui.operations import ChangeArea, Changes, operation_hub, run_async_write, run_write
from ui.panels.workflows.diagram import StepDiagram
from ui.panels.workflows.models import DefinitionsModel, RunsTableModel, StepsTableModel
from ui.panels.workflows.run_dialog import RunDialog
from ui.widgets.fitted_columns import fit_columns
from ui.widgets.key_choice import signing_key_aliases
from ui.widgets.links import RUN_LINKS, LinksButton
from ui.widgets.plain_text import ask_yes_no, escape, warn

if TYPE_CHECKING:
    from app.workflows.definition import WorkflowDefinition
    from services.bootstrap import Services
    from services.workflows.rows import DefinitionRow, RunDetail, RunRow


def ask_force(parent: QWidget, message: str) -> bool:
    """Ask whether to run a non-idempotent step again anyway (tests replace this)."""
    return ask_yes_no(parent, "Run it again?", message + "\n\nRun it again anyway (force)?", default_yes=False)


def ask_compensate(parent: QWidget, message: str) -> bool:
    """Ask before undoing a run that succeeded (tests replace this)."""
    return ask_yes_no(parent, "Undo a finished run?", message, default_yes=False)


def show_error(parent: QWidget, message: str) -> None:
    warn(parent, "Workflows", message)


class WorkflowsPanel(QWidget):
    status_message = Signal(str)
    notify_requested = Signal(str, str)
    open_requested = Signal(object)  # ItemRef: the window shows it in its panel
    definitions_loaded = Signal()  # the definitions were read and shown (one selected, when there are any)
    runs_loaded = Signal()
    run_loaded = Signal(object)  # the run id shown in the timeline (None: no run selected)
    run_started = Signal(object)  # the id of a run the panel started or re-ran (None: the re-run was refused)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        svc = services.workflows
        assert isinstance(svc, WorkflowsService)
        self.svc = svc
        self.current_run: str | None = None
        self._refreshing = False
        self._defs_reads = LatestQuery(self)
        self._def_steps: dict[str, list[JsonObject]] = {}  # definition name -> its raw steps (the diagram's)
        self._wanted_definition: str | None = None  # to select once the definitions are shown (an import's)
        self._runs_reads = LatestQuery(self)
        self._run_reads = LatestQuery(self)
        self.errors: list[str] = []  # what the panel showed the user (kept for tests and the status bar)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        # -- definitions side
        self.defs_model = DefinitionsModel(self)
        self.defs_view = QListView()
        self.defs_view.setModel(self.defs_model)
        self.defs_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.defs_view.setMaximumHeight(150)
        self.def_title = QLabel()
        self.def_title.setWordWrap(True)
        self.def_title.setTextFormat(Qt.TextFormat.RichText)
        self.diagram = StepDiagram()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.diagram)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.run_button = QPushButton("&Run…")
        self.import_button = QPushButton("&Import…")
        def_buttons = QHBoxLayout()
        def_buttons.addWidget(self.run_button)
        def_buttons.addWidget(self.import_button)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("<b>Workflows</b>"))
        ll.addWidget(self.defs_view)
        ll.addWidget(self.def_title)
        ll.addWidget(scroll, 1)
        ll.addLayout(def_buttons)

        # -- runs
        self.runs_model = RunsTableModel(self)
        self.runs_view = self._table(self.runs_model, (90, 130, 150, 140, 70))
        self.all_runs = QCheckBox("All workflows")
        runs_head = QHBoxLayout()
        runs_head.addWidget(QLabel("<b>Runs</b>"))
        runs_head.addStretch(1)
        runs_head.addWidget(self.all_runs)

        # -- timeline of the selected run
        self.steps_model = StepsTableModel(self)
        self.steps_view = self._table(self.steps_model, (30, 100, 120, 150, 60, 140, 70))
        self.run_label = QLabel("Select a run to see its steps.")
        self.run_label.setTextFormat(Qt.TextFormat.RichText)  # our markup; foreign text is escaped
        self.run_label.setWordWrap(True)
        self.detail = QPlainTextEdit(readOnly=True)
        self.detail.setFont(mono)
        self.detail.setPlaceholderText("Select a step to see its inputs, output and errors.")
        self.resume_button = QPushButton("Res&ume")
        self.compensate_button = QPushButton("Com&pensate")
        self.cancel_button = QPushButton("&Cancel run")
        self.rerun_button = QPushButton("Re-run from &step…")
        self.approve_button = QPushButton("&Approve")
        self.reject_button = QPushButton("Re&ject")
        self._detail: RunDetail | None = None
        self.links = LinksButton(self, self.runs_view, RUN_LINKS, self._link_targets)
        self.links.open_requested.connect(self.open_requested)
        actions = QHBoxLayout()
        for b in (self.resume_button, self.compensate_button, self.cancel_button, self.rerun_button, self.approve_button,
                  self.reject_button, self.links):
            actions.addWidget(b)
        actions.addStretch(1)

        timeline = QSplitter(Qt.Orientation.Horizontal)
        timeline.addWidget(self.steps_view)
        timeline.addWidget(self.detail)
        timeline.setStretchFactor(0, 3)
        timeline.setStretchFactor(1, 2)

        right_top = QWidget()
        rt = QVBoxLayout(right_top)
        rt.setContentsMargins(0, 0, 0, 0)
        rt.addLayout(runs_head)
        rt.addWidget(self.runs_view)
        right_bottom = QWidget()
        rb = QVBoxLayout(right_bottom)
        rb.setContentsMargins(0, 0, 0, 0)
        rb.addWidget(self.run_label)
        rb.addLayout(actions)
        rb.addWidget(timeline, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(right_top)
        right.addWidget(right_bottom)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)

        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(left)
        main.addWidget(right)
        main.setStretchFactor(0, 1)
        main.setStretchFactor(1, 3)
        main.setSizes([400, 880])
        layout = QVBoxLayout(self)
        layout.addWidget(main)

        # -- wiring
        self._refresh_timer = QTimer(self, singleShot=True, interval=120)
        self._refresh_timer.timeout.connect(self.refresh_runs)
        sel = self.defs_view.selectionModel()
        assert sel is not None
        sel.currentChanged.connect(lambda *_: self._on_definition_changed())
        rsel = self.runs_view.selectionModel()
        assert rsel is not None
        rsel.currentChanged.connect(lambda *_: self._on_run_changed())
        ssel = self.steps_view.selectionModel()
        assert ssel is not None
        ssel.currentChanged.connect(lambda *_: self._show_step_detail())
        self.all_runs.toggled.connect(lambda _: self.refresh_runs())
        self.run_button.clicked.connect(self._on_run_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.resume_button.clicked.connect(lambda: self._repair("resume"))
        self.compensate_button.clicked.connect(lambda: self._repair("compensate"))
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.rerun_button.clicked.connect(self._on_rerun_clicked)
        self.approve_button.clicked.connect(lambda: self._on_approve_clicked(True))
        self.reject_button.clicked.connect(lambda: self._on_approve_clicked(False))
        self._unsubscribe: Callable[[], None] | None = services.bus.subscribe("workflow.*", self._on_event)
        hub_connection = operation_hub().did_execute.connect(self._on_hub_did_execute)
        self.destroyed.connect(lambda *_: QObject.disconnect(hub_connection))
        self.destroyed.connect(lambda *_: self._disconnect())

        self._update_buttons()
        self.refresh_definitions(soon=True)  # once the panel is shown (a worker beside the show slowed it)

    def _disconnect(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @staticmethod
    def _table(model: QAbstractItemModel, widths: tuple[int, ...]) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setAlternatingRowColors(True)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(22)
        fit_columns(view, (*widths, 100))  # the last column (the problem, the error) takes the rest
        return view

    # ------------------------------------------------------------------ data
    def selected_definition(self) -> DefinitionRow | None:
        return self.defs_model.row_dict(self.defs_view.currentIndex().row())

    def refresh_definitions(self, select: str | None = None, *, soon: bool = False) -> None:
        """Read the definitions and their steps in the background, then show them with ``select``
        selected (else the one selected before, else the first); ``definitions_loaded`` follows.
        A ``select`` is kept until a read is shown, so a refresh that supersedes this one selects it too."""
        svc = self.svc
        if select is not None:
            self._wanted_definition = select

        def load() -> tuple[list[DefinitionRow], dict[str, list[JsonObject]]]:
            defs = svc.list_definitions()
            return defs, {d["name"]: [dict(as_object(s, "a step"))
                                    for s in as_array(svc.get_definition(d["name"]).raw["steps"], "steps")] for d in defs}

        (self._defs_reads.run_soon if soon else self._defs_reads.run)(load, self._show_definitions, self._on_read_failed)

    def _show_definitions(self, loaded: tuple[list[DefinitionRow], dict[str, list[JsonObject]]]) -> None:
        defs, self._def_steps = loaded
        current = self.selected_definition()
        name = self._wanted_definition or (current["name"] if current is not None else None)
        self._wanted_definition = None
        self.defs_model.set_rows(defs)
        row = self.defs_model.row_of(name) if name is not None else -1
        if row < 0 and defs:
            row = 0
        if row >= 0:
            self.defs_view.setCurrentIndex(self.defs_model.index(row))
        self.definitions_loaded.emit()

    def _on_definition_changed(self) -> None:
        d = self.selected_definition()
        if d is None:
            return
        missing = escape(", ".join(d["missing_actions"]))
        note = "" if d["runnable"] else f"<br><i>Not runnable here: no action {missing}.</i>"
        self.def_title.setText(f"<b>{escape(d['title'])}</b> <small>v{escape(d['version'])} · {escape(d['origin'])}</small>"
                               f"<br>{escape(d['description'])}{note}")
        self.diagram.set_steps(self._def_steps.get(d["name"], []))
        self.run_button.setEnabled(bool(d["runnable"]))
        self.refresh_runs()

    def refresh_runs(self) -> None:
        d = self.selected_definition()
        name = None if self.all_runs.isChecked() or d is None else d["name"]
        svc = self.svc

        def load() -> list[RunRow]:
            try:
                return svc.history(name, limit=200)
            except TrendForgeError:
                return []

        self._runs_reads.run(load, self._show_runs, self._on_read_failed)

    def _show_runs(self, rows: list[RunRow]) -> None:
        self._refreshing = True
        try:
            self.runs_model.set_rows(rows)
            if self.current_run is not None:
                for i, r in enumerate(rows):
                    if r["id"] == self.current_run:
                        self.runs_view.setCurrentIndex(self.runs_model.index(i, 0))
                        break
        finally:
            self._refreshing = False
        self.refresh_timeline()
        self.runs_loaded.emit()

    def _on_read_failed(self, exc: Exception) -> None:
        self.status_message.emit(f"Workflows: {exc}")

    def select_item(self, item_id: str) -> None:
        self.select_run(item_id)

    def select_run(self, run_id: str) -> None:
        self.current_run = run_id
        self.refresh_runs()

    def _on_run_changed(self) -> None:
        if self._refreshing:
            return
        r = self.runs_model.row_dict(self.runs_view.currentIndex().row())
        self.current_run = r["id"] if r else None
        self.refresh_timeline()

    def run_detail(self) -> RunDetail | None:
        if self.current_run is None:
            return None
        try:
            return self.svc.show(self.current_run)
        except TrendForgeError:
            return None

    def refresh_timeline(self) -> None:
        run_id = self.current_run
        if run_id is None:
            self._run_reads.cancel()
            self._show_timeline(None, None)
            return
        svc = self.svc

        def load() -> RunDetail | None:
            try:
                return svc.show(run_id)
            except TrendForgeError:
                return None

        self._run_reads.run(load, lambda detail: self._show_timeline(run_id, detail), self._on_read_failed)

    def _show_timeline(self, run_id: str | None, detail: RunDetail | None) -> None:
        step_row = self.steps_view.currentIndex().row()
        if detail is None:
            self.steps_model.set_rows([])
            self.run_label.setText("Select a run to see its steps.")
            self.diagram.set_status({})
        else:
            self.steps_model.set_rows(detail["steps"])
            text = (f"<b>{escape(detail['workflow'])}</b> run {escape(detail['id'][:10])} — "
                    f"<b>{escape(detail['status'].replace('_', ' '))}</b>")
            if detail["duration"] is not None:
                text += f" in {detail['duration']:.2f} s"
            if detail["error"]:
                text += "<br>" + tone_span(Tone.ERROR, escape(detail["error"]))
            if detail["superseded_by"]:
                text += f"<br>Re-run as {escape(detail['superseded_by'][:10])}"
            if detail.get("engine") == "temporal":
                text += " — on Temporal"
            self.run_label.setText(text)
            d = self.selected_definition()
            if d is not None and d["name"] == detail["workflow"]:
                self.diagram.set_status({s["name"]: s["status"] for s in detail["steps"]})
            if 0 <= step_row < self.steps_model.rowCount():
                sel = self.steps_view.selectionModel()
                assert sel is not None
                sel.setCurrentIndex(self.steps_model.index(step_row, 0),
                                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._show_step_detail()
        self._update_buttons(detail)
        self.run_loaded.emit(run_id)

    def _show_step_detail(self) -> None:
        s = self.steps_model.row_dict(self.steps_view.currentIndex().row())
        if s is None:
            self.detail.setPlainText("")
            return
        parts = [
            f"step {s['name']}  [{s['action']}]  {s['status']}  attempts: {s['attempts']}",
            f"started {s['started_at'] or '-'}   ended {s['ended_at'] or '-'}",
            "inputs:\n" + json.dumps(s["inputs"], indent=2, sort_keys=True),
            "output:\n" + json.dumps(s["output"], indent=2, sort_keys=True),
        ]
        if s["error"]:
            parts.append(f"error ({s['error_type']}): {s['error']}")
        if s["compensation_action"]:
            comp = f"undo: {s['compensation_action']}"
            if s["compensated_at"]:
                comp += f" at {s['compensated_at']} ({s['compensation_attempts']} attempt(s))"
            if s["compensation_error"]:
                comp += f"\nundo FAILED: {s['compensation_error']}"
            parts.append(comp)
        self.detail.setPlainText("\n\n".join(parts))

    def _link_targets(self) -> dict[str, str | None]:
        detail = self._detail
        if detail is None:
            return {}
        found = run_links(detail["inputs"], [s["output"] if isinstance(s["output"], dict) else None for s in detail["steps"]])
        return {"trend": found.trend_id, "template": found.template_id, "build": found.build_id,
                "events": detail["id"]}

    def _update_buttons(self, detail: RunDetail | None = None) -> None:
        self._detail = detail
        self.links.update_state()
        status = detail["status"] if detail else None
        live = bool(detail and detail.get("live"))
        superseded = bool(detail and detail.get("superseded_by"))
        # a run on Temporal is never interrupted (Temporal retries its steps on another worker), and
        # it is undone (by its one undo workflow) at most once
        undone_on_temporal = bool(detail and detail.get("engine") == "temporal" and detail.get("undo"))
        self.resume_button.setEnabled(status == "interrupted" and not superseded)
        self.compensate_button.setEnabled(
            status in {"interrupted", "failed", "cancelled", "succeeded", "compensation_failed"} and not live and not superseded
            and not undone_on_temporal
        )
        self.cancel_button.setEnabled(status in {"running", "pending", "interrupted"} and not superseded)
        self.rerun_button.setEnabled(bool(detail) and status not in {"running", "pending", "compensating"} and not superseded)
        waiting = bool(detail) and any(
            s["action"] == "wait_for_approval" and s["status"] == "running" for s in (detail["steps"] if detail else [])
        )
        self.approve_button.setEnabled(waiting)
        self.reject_button.setEnabled(waiting)

    # ------------------------------------------------------------------ live
    def _on_event(self, event: Event) -> None:
        if event.type == "workflow.notified":
            p = event.payload()
            self.notify_requested.emit(str(p.get("title", "")), str(p.get("message", "")))
        elif event.type == "workflow.imported":
            self.refresh_definitions()
        if event.type in {"workflow.completed", "workflow.failed", "workflow.cancelled"}:
            p = event.payload()
            status = p.get("status", event.type.removeprefix("workflow."))
            self.status_message.emit(f"workflow {p.get('workflow')} {status}")
        self._refresh_timer.start()

    # ------------------------------------------------------------------ actions
    # Every action is one write through run_async_write: its checks and database work run in a
    # worker thread, the run's task is spawned on the loop, and its Changes refresh the run.
    def _fail(self, exc: Exception) -> None:
        message = str(exc)
        self.errors.append(message)
        self.status_message.emit(message)
        show_error(self, message)

    def _write(self, write: Callable[[], Awaitable[str]], on_done: Callable[[str], None],
               on_error: Callable[[Exception], None] | None = None) -> None:
        """One workflows write; the run id it returns is what changed."""
        run_async_write(self, write, area=ChangeArea.WORKFLOWS, ids=lambda run_id: (run_id,), on_done=on_done,
                        on_error=on_error or self._fail)

    def _on_hub_did_execute(self, changes: Changes) -> None:
        """A workflows write committed (here or in another panel): re-read the runs and the timeline."""
        if changes.area is ChangeArea.WORKFLOWS:
            self._refresh_timer.start()

    def _on_run_clicked(self) -> None:
        d = self.selected_definition()
        if d is None:
            return
        values = RunDialog.ask(self, f"Run {d['title']}", d["inputs"], keys=signing_key_aliases(self.services))
        if values is None:
            return
        self.start_run(d["name"], values)

    def start_run(self, name: str, values: Mapping[str, JsonValue]) -> None:
        """Start a run in the background; once it exists it is selected (``run_started``)."""
        svc = self.svc

        def started(run_id: str) -> None:
            self.status_message.emit(f"started {name} ({run_id[:10]})")
            self.select_run(run_id)
            self.run_started.emit(run_id)

        self._write(lambda: svc.start_async(name, values), started)

    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import workflow", "", "Workflow definitions (*.json *.toml)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Import the definition at ``path`` off the GUI thread (it reads the file and writes the store)."""
        svc = self.svc

        def imported(defn: WorkflowDefinition) -> None:
            self.refresh_definitions(select=defn.name)
            self.status_message.emit(f"imported {defn.name}")

        run_write(self, lambda: svc.import_definition(path), area=ChangeArea.WORKFLOWS, ids=lambda defn: (defn.name,),
                  on_done=imported, on_error=self._fail)

    def _repair(self, what: str, *, force: bool = False) -> None:
        if self.current_run is None:
            return
        run_id, svc = self.current_run, self.svc
        if what == "compensate" and not force and not self._compensation_confirmed():
            return

        def write() -> Awaitable[str]:
            if what == "resume":
                return svc.resume_async(run_id, force=force)
            return svc.compensate_async(run_id, force=force)

        def refused(exc: Exception) -> None:
            if not force and isinstance(exc, NotIdempotentError) and ask_force(self, str(exc)):
                self._repair(what, force=True)
                return
            self._fail(exc)

        self._write(write, lambda _run_id: self.status_message.emit(f"{what} {run_id[:10]}"), refused)

    def _compensation_confirmed(self) -> bool:
        """A run that succeeded is undone (its release removed, its template archived) only when asked."""
        detail = self._detail
        if detail is None or detail["id"] != self.current_run or detail["status"] != "succeeded":
            return True
        undone = [f"{s['name']} ({s['compensation_action']})" for s in reversed(detail["steps"])
                  if s.get("compensation_action") and s["status"] == "succeeded"]
        message = (f"Run {detail['id'][:10]} of {detail['workflow']} succeeded. Compensating it undoes, in this order: "
                   f"{', '.join(undone) or 'nothing'}.\n\nUndo it?")
        return ask_compensate(self, message)

    def _on_cancel_clicked(self) -> None:
        if self.current_run is None:
            return
        run_id, svc = self.current_run, self.svc
        outcome: list[str] = []

        async def cancel() -> str:
            outcome.append(await svc.cancel_async(run_id))
            return run_id

        self._write(cancel, lambda _run_id: self.status_message.emit(f"cancel: {outcome[0]}"))

    def _on_rerun_clicked(self) -> None:
        detail = self._detail
        if detail is None or detail["id"] != self.current_run:
            return
        step = self.steps_model.row_dict(self.steps_view.currentIndex().row())
        if step is None:
            failed = [s for s in detail["steps"] if s["status"] in {"failed", "interrupted", "cancelled", "compensated", "compensation_failed"}]
            step = failed[0] if failed else detail["steps"][0]
        d = self.defs_model.row_dict(self.defs_model.row_of(detail["workflow"]))
        inputs = d["inputs"] if d else []
        values = RunDialog.ask(self, f"Re-run {detail['workflow']} from {step['name']}", inputs, detail["inputs"],
                               note=f"Steps before '{step['name']}' keep their results; it and the later ones run again.",
                               keys=signing_key_aliases(self.services))
        if values is None:
            return
        self.rerun_from(detail["id"], step["name"], values)

    def rerun_from(self, run_id: str, step: str, values: Mapping[str, JsonValue], *, force: bool = False) -> None:
        """Re-run in the background; the new run is selected once it exists (``run_started``)."""
        svc = self.svc
        pairs = [f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in values.items()]

        def started(new_id: str) -> None:
            self.select_run(new_id)
            self.run_started.emit(new_id)

        def refused(exc: Exception) -> None:
            if not force and isinstance(exc, NotIdempotentError) and ask_force(self, str(exc)):
                self.rerun_from(run_id, step, values, force=True)
                return
            self._fail(exc)
            self.run_started.emit(None)

        self._write(lambda: svc.rerun_async(run_id, step, pairs, force=force), started, refused)

    def _on_approve_clicked(self, approved: bool) -> None:
        if self.current_run is None:
            return
        run_id, svc = self.current_run, self.svc
        decided: list[str] = []

        async def approve() -> str:
            decided.append(await svc.approve_async(run_id, approved=approved,
                                                   note="" if approved else "rejected in the panel"))
            return run_id

        self._write(approve, lambda _run_id: self.status_message.emit(
            f"{'approved' if approved else 'rejected'} {decided[0]}"))


def create_panel(services: Services) -> QWidget:
    return WorkflowsPanel(services)
