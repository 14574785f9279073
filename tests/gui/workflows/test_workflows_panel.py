"""The Workflows panel driven with qtbot on a real app and a qasync loop."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.workflows.definition import parse_definition
from services.actions import ActionContext, Param
from services.bootstrap import Services
from tests.support.gui_thread_sql import sql_on_gui_thread
from tests.support.workflow_runs import imported, opened, started
from ui.background import pending
from ui.panels import workflows_panel as panel_module
from ui.panels.workflows.run_dialog import RunDialog
from ui.panels.workflows_panel import WorkflowsPanel

SAGA = {
    "name": "saga",
    "title": "Saga demo",
    "inputs": {"fail": {"type": "boolean", "default": True}},
    "steps": [
        {"name": "a", "action": "noop", "inputs": {"value": "a"}, "compensation": {"action": "noop", "inputs": {"value": "undo a"}}},
        {"name": "b", "action": "noop", "inputs": {"value": "b"},
         "compensation": {"action": "fail", "inputs": {"message": "cannot undo b"}}},
        {"name": "c", "action": "fail", "condition": "ctx.fail", "inputs": {"message": "c broke"}},
        {"name": "d", "action": "notify", "inputs": {"title": "Saga", "message": "all done"}},
    ],
}


@pytest.fixture
def panel(qtbot: QtBot, services: Services, aloop: Any) -> WorkflowsPanel:
    p = opened(qtbot, services)
    p.resize(1200, 760)
    p.show()
    qtbot.waitExposed(p)
    return p


def select_definition(panel: WorkflowsPanel, name: str) -> None:
    panel.defs_view.setCurrentIndex(panel.defs_model.index(panel.defs_model.row_of(name)))


def test_definitions_diagram_and_models(panel: WorkflowsPanel, qtmodeltester: Any) -> None:
    names = [panel.defs_model.row_dict(i)["name"] for i in range(panel.defs_model.rowCount())]  # type: ignore[index]
    assert {"approval-demo", "trend-to-release"} <= set(names)
    select_definition(panel, "trend-to-release")
    texts = panel.diagram.box_texts()
    assert [t.split()[0] for t in texts] == ["pick", "template", "build", "sign", "deploy"]
    assert "retry x3" in texts[0] and "timeout 1800s" in texts[2]
    runnable = panel.selected_definition()["runnable"]  # type: ignore[index]
    assert panel.run_button.isEnabled() == runnable
    if not runnable:
        assert "Not runnable here" in panel.def_title.text()
    qtmodeltester.check(panel.defs_model)
    qtmodeltester.check(panel.runs_model)
    qtmodeltester.check(panel.steps_model)


def test_opening_the_panel_runs_no_sql_on_the_gui_thread(qtbot: QtBot, services: Services, aloop: Any) -> None:
    """The definitions (and their steps, for the diagram) are read in the background like the runs."""
    services.workflows.invalidate()  # nothing cached: as at the first open after a start
    with sql_on_gui_thread(services.ctx.engine) as gui_sql:
        p = opened(qtbot, services)
        qtbot.waitUntil(lambda: p.runs_model.rowCount() == 0 and not p._runs_reads.busy, timeout=5000)
    assert gui_sql == []
    assert p.selected_definition() is not None and p.diagram.box_texts()  # the first one shown, with its steps


def test_the_panel_starts_its_first_reads_after_it_is_built(qtbot: QtBot, services: Services, aloop: Any) -> None:
    """No worker competes (for the GIL) with building, showing and painting it: the reads start a turn later."""
    before = pending()
    p = WorkflowsPanel(services)
    qtbot.addWidget(p)
    assert pending() == before
    with qtbot.waitSignal(p.definitions_loaded, timeout=10_000):
        p.show()


def test_run_dialog_approve_and_live_timeline(panel: WorkflowsPanel, qtbot: QtBot, drive: Callable[..., None],
                                              monkeypatch: pytest.MonkeyPatch, qtmodeltester: Any) -> None:
    select_definition(panel, "approval-demo")
    asked: list[list[dict[str, Any]]] = []

    def fake_ask(parent: Any, title: str, inputs: list[dict[str, Any]], values: Any = None, note: str = "",
                 keys: Any = None) -> dict[str, Any]:
        asked.append(inputs)
        return {"what": "the cat app", "pause": 0}

    monkeypatch.setattr(RunDialog, "ask", staticmethod(fake_ask))
    with qtbot.waitSignal(panel.notify_requested, timeout=5000) as note:
        panel.run_button.click()
        drive(lambda: panel.approve_button.isEnabled())
    assert note.args == ["Approval needed", "Please approve the cat app"]
    assert {i["name"] for i in asked[0]} == {"what", "pause"}
    assert panel.runs_model.rowCount() == 1
    drive(lambda: panel.steps_model.row_dict(2) is not None and panel.steps_model.row_dict(2)["status"] == "running")  # type: ignore[index]
    assert panel.cancel_button.isEnabled() and not panel.resume_button.isEnabled()
    panel.approve_button.click()
    drive(lambda: panel.runs_model.row_dict(0)["status"] == "succeeded")  # type: ignore[index]
    drive(lambda: [s["status"] for s in panel.steps_model.rows()] == ["succeeded", "skipped", "succeeded", "succeeded"])
    assert panel.runs_model.data(panel.runs_model.index(0, 2)) == "succeeded"
    assert "succeeded" in panel.run_label.text()
    panel.steps_view.setCurrentIndex(panel.steps_model.index(2, 0))
    assert '"decision": "approved"' in panel.detail.toPlainText()
    assert panel.diagram._status["pause"] == "skipped"
    qtmodeltester.check(panel.steps_model)


def test_import_failure_compensation_and_rerun(panel: WorkflowsPanel, qtbot: QtBot, drive: Callable[..., None],
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "saga.json"
    f.write_text(json.dumps(SAGA))
    imported(qtbot, panel, f)
    assert panel.selected_definition()["name"] == "saga"  # type: ignore[index]
    run_id = started(panel, drive, lambda: panel.start_run("saga", {}))
    assert run_id
    drive(lambda: (panel.runs_model.row_dict(0) or {}).get("status") == "compensation_failed")
    drive(lambda: [s["status"] for s in panel.steps_model.rows()][:2] == ["compensated", "compensation_failed"])
    steps = {s["name"]: s for s in panel.steps_model.rows()}
    assert steps["a"]["status"] == "compensated" and steps["b"]["status"] == "compensation_failed"
    assert panel.steps_model.data(panel.steps_model.index(1, 7)).startswith("undo failed: RuntimeError: cannot undo b")
    assert "c broke" in panel.runs_model.data(panel.runs_model.index(0, 5))
    assert panel.rerun_button.isEnabled() and not panel.resume_button.isEnabled()

    # re-run from the failed step with an edited input: earlier steps were undone, so it refuses clearly
    shown: list[str] = []
    monkeypatch.setattr(panel_module, "show_error", lambda parent, message: shown.append(message))
    assert started(panel, drive, lambda: panel.rerun_from(run_id, "c", {"fail": False})) is None
    assert "cannot be reused" in shown[-1]
    # from the start it works
    new_id = started(panel, drive, lambda: panel.rerun_from(run_id, "a", {"fail": False}))
    assert new_id
    drive(lambda: panel.run_detail() is not None and panel.run_detail()["status"] == "succeeded")  # type: ignore[index]
    drive(lambda: [s["status"] for s in panel.steps_model.rows()] == ["succeeded", "succeeded", "skipped", "succeeded"])
    assert panel.runs_model.rowCount() == 2
    panel.grab().save(str(tmp_path / "workflows.png"))


def test_interrupted_run_resume_refused_then_compensated(qtbot: QtBot, make_services: Callable[..., Services],
                                                         aloop: Any, drive: Callable[..., None],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A run left 'running' by a process that stopped is interrupted at the next start-up."""
    first = make_services()
    wf = first.workflows
    effects: list[str] = []

    def register(svc: Any) -> None:
        @svc.registry.action("charge", Param("amount", int), idempotent=False)
        async def charge(actx: ActionContext, amount: int) -> dict[str, Any]:
            effects.append(f"charge {amount}")
            import asyncio

            await asyncio.sleep(60)
            return {}

        @svc.registry.action("refund", Param("amount", int), idempotent=True)
        def refund(actx: ActionContext, amount: int) -> dict[str, Any]:
            effects.append(f"refund {amount}")
            return {}

    register(wf)
    defn = parse_definition({"name": "pay", "steps": [
        {"name": "charge", "action": "charge", "inputs": {"amount": 5}, "compensation": {"action": "refund", "inputs": {"amount": 5}}},
    ]})
    run_id = wf.engine.create_run(defn, {})
    wf.engine._spawn(run_id)
    drive(lambda: effects == ["charge 5"])
    aloop.run_until_complete(wf.engine.shutdown())  # the process "stops": nothing more is written

    second = make_services()
    register(second.workflows)
    p = opened(qtbot, second)
    p.all_runs.setChecked(True)
    p.select_run(run_id)  # its row and timeline are read in the background
    assert p.run_detail()["status"] == "interrupted"  # type: ignore[index]
    drive(p.resume_button.isEnabled)
    asked: list[str] = []
    shown: list[str] = []
    monkeypatch.setattr(panel_module, "ask_force", lambda parent, message: asked.append(message) or False)
    monkeypatch.setattr(panel_module, "show_error", lambda parent, message: shown.append(message))
    p.resume_button.click()
    drive(lambda: bool(shown))  # refused in the background
    assert "not idempotent" in asked[0] and shown and effects == ["charge 5"]
    p.compensate_button.click()
    drive(lambda: p.run_detail()["status"] == "compensated")  # type: ignore[index]
    assert effects == ["charge 5", "refund 5"]


def test_reject_fails_the_run_with_the_reason(panel: WorkflowsPanel, drive: Callable[..., None]) -> None:
    select_definition(panel, "approval-demo")
    run_id = started(panel, drive, lambda: panel.start_run("approval-demo", {"what": "a risky thing"}))
    assert run_id
    drive(lambda: panel.reject_button.isEnabled())
    panel.reject_button.click()
    drive(lambda: panel.run_detail()["status"] == "failed")  # type: ignore[index]
    drive(lambda: panel.runs_model.row_dict(0)["status"] == "failed")  # type: ignore[index]
    assert "rejected in the panel" in panel.runs_model.data(panel.runs_model.index(0, 5))
    drive(lambda: not panel.approve_button.isEnabled() and not panel.reject_button.isEnabled())  # the timeline follows


UNDOABLE = {"name": "undoable", "steps": [
    {"name": "a", "action": "noop", "inputs": {"value": "a"}, "compensation": {"action": "noop", "inputs": {"value": "undo a"}}},
]}


def test_compensating_a_succeeded_run_asks_first_and_does_nothing_on_no(
        panel: WorkflowsPanel, qtbot: QtBot, drive: Callable[..., None], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "undoable.json"
    f.write_text(json.dumps(UNDOABLE))
    imported(qtbot, panel, f)
    run_id = started(panel, drive, lambda: panel.start_run("undoable", {}))
    assert run_id
    drive(lambda: panel.run_detail() is not None and panel.run_detail()["status"] == "succeeded")  # type: ignore[index]
    drive(lambda: panel.compensate_button.isEnabled())
    asked: list[str] = []
    monkeypatch.setattr(panel_module, "ask_compensate", lambda parent, message: asked.append(message) or False)
    panel.compensate_button.click()
    assert len(asked) == 1 and "succeeded" in asked[0] and "a (noop)" in asked[0]
    assert panel.run_detail()["status"] == "succeeded"  # type: ignore[index]
    monkeypatch.setattr(panel_module, "ask_compensate", lambda parent, message: asked.append(message) or True)
    panel.compensate_button.click()
    drive(lambda: panel.run_detail()["status"] == "compensated")  # type: ignore[index]
    assert len(asked) == 2


def _two_finished_runs(panel: WorkflowsPanel, qtbot: QtBot, drive: Callable[..., None], tmp_path: Path) -> tuple[str, str]:
    from tests.support.gate import background_settled

    f = tmp_path / "undoable.json"
    f.write_text(json.dumps(UNDOABLE))
    imported(qtbot, panel, f)
    first = started(panel, drive, lambda: panel.start_run("undoable", {}))
    second = started(panel, drive, lambda: panel.start_run("undoable", {}))
    assert first and second
    drive(lambda: [r["status"] for r in panel.runs_model.rows()] == ["succeeded", "succeeded"])
    drive(lambda: not panel._refresh_timer.isActive() and background_settled())  # the bus's refreshes are done
    return first, second


def test_the_run_timeline_loads_off_the_gui_thread_and_drops_a_superseded_click(
        panel: WorkflowsPanel, qtbot: QtBot, drive: Callable[..., None], tmp_path: Path) -> None:
    from tests.support.gate import Gate, background_settled

    first, second = _two_finished_runs(panel, qtbot, drive, tmp_path)
    gate = Gate()
    panel.svc.show = gate.wrap(panel.svc.show)  # type: ignore[method-assign]
    shown: list[object] = []
    panel.run_loaded.connect(shown.append)
    try:
        panel.current_run = first
        panel.refresh_timeline()  # held on the worker: the slot has returned already
        assert gate.held.wait(5)
        with qtbot.waitSignal(panel.run_loaded, timeout=5000):
            panel.current_run = second
            panel.refresh_timeline()
        gate.release()
        qtbot.waitUntil(lambda: gate.done.is_set() and background_settled(), timeout=5000)
    finally:
        gate.release()
        del panel.svc.show
    assert shown == [second]  # the superseded click's timeline was dropped...
    assert gate.stopped, gate.first_error  # ...and its SQL stopped
    assert second[:10] in panel.run_label.text()
    assert gate.off_gui_thread


def test_the_runs_table_loads_off_the_gui_thread_and_drops_a_superseded_refresh(
        panel: WorkflowsPanel, qtbot: QtBot, drive: Callable[..., None], tmp_path: Path) -> None:
    from tests.support.gate import Gate, background_settled

    _two_finished_runs(panel, qtbot, drive, tmp_path)
    gate = Gate()
    panel.svc.history = gate.wrap(panel.svc.history)  # type: ignore[method-assign]
    loads: list[int] = []
    panel.runs_loaded.connect(lambda: loads.append(panel.runs_model.rowCount()))
    try:
        panel.refresh_runs()  # held
        assert gate.held.wait(5)
        with qtbot.waitSignal(panel.runs_loaded, timeout=5000):
            panel.refresh_runs()
        gate.release()
        qtbot.waitUntil(lambda: gate.done.is_set() and background_settled(), timeout=5000)
    finally:
        gate.release()
        del panel.svc.history
    assert loads == [2]
    assert gate.stopped, gate.first_error
    assert gate.off_gui_thread


def test_a_shown_panel_starts_its_first_read_after_its_first_paint(qtbot: QtBot, services: Services, aloop: Any) -> None:
    """The window's paint comes after a zero timer: the read waits for it, not to share the GIL with it."""
    from PySide6.QtCore import QEvent, QObject

    before = pending()
    at_paint: list[int] = []

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not at_paint:
                at_paint.append(pending())
            return False

    p = WorkflowsPanel(services)
    qtbot.addWidget(p)
    p.installEventFilter(Paints(p))
    p.show()  # in the slice that built it, as the window shows a panel
    with qtbot.waitSignal(p.definitions_loaded, timeout=10_000):
        pass
    assert at_paint == [before]  # painted before any read started


def test_import_reads_and_writes_the_definition_off_the_gui_thread(qtbot: QtBot, panel: WorkflowsPanel,
                                                                   tmp_path: Path) -> None:
    from tests.support.gate import Gate

    f = tmp_path / "saga.json"
    f.write_text(json.dumps(SAGA))
    gate = Gate()
    panel.svc.import_definition = gate.wrap(panel.svc.import_definition)  # type: ignore[method-assign]
    try:
        panel.import_file(f)  # returned at once: the import is held on a worker
        assert gate.held.wait(5)
        gate.release()
        # shown by the definitions read that follows the import (a read already on its way may end first)
        qtbot.waitUntil(lambda: panel.defs_model.row_of(SAGA["name"]) >= 0, timeout=10_000)
    finally:
        gate.release()
        del panel.svc.import_definition
    assert gate.off_gui_thread
