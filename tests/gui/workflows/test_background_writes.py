"""Workflows panel actions run off the GUI thread: the service's checks and writes in a worker, the
run's task spawned on the qasync loop; each announces the run it changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from services.bootstrap import Services
from tests.support.gui_writes import assert_wrote_in_the_background, click_while_locked
from tests.support.workflow_runs import opened, started
from ui.operations import ChangeArea, Changes, operation_hub
from ui.panels import workflows_panel as panel_module
from ui.panels.workflows_panel import WorkflowsPanel


@pytest.fixture
def panel(qtbot: QtBot, services: Services, aloop: Any) -> WorkflowsPanel:
    p = opened(qtbot, services)
    p.resize(1200, 760)
    p.defs_view.setCurrentIndex(p.defs_model.index(p.defs_model.row_of("approval-demo")))
    return p


def _waiting_for_approval(panel: WorkflowsPanel, drive: Callable[..., None]) -> str:
    run_id = started(panel, drive, lambda: panel.start_run("approval-demo", {"what": "the cat app", "pause": 0}))
    assert run_id is not None
    drive(panel.approve_button.isEnabled)
    return run_id


def test_a_start_returns_at_once_and_the_gui_thread_never_stalls_while_its_write_waits(
    qtbot: QtBot, panel: WorkflowsPanel, services: Services, drive: Callable[..., None]
) -> None:
    # one run first: the process's first start imports and compiles what a start needs (a stall of
    # its own, once per process); this measures the write waiting for the lock
    _waiting_for_approval(panel, drive)
    timing = click_while_locked(qtbot, services.config.db_path, panel,
                                lambda: panel.start_run("approval-demo", {"what": "the cat app", "pause": 0}),
                                drive=drive)
    assert_wrote_in_the_background(timing)
    assert timing.changes[0].area is ChangeArea.WORKFLOWS


def test_an_approval_announces_its_run_and_the_panel_that_asked(
    panel: WorkflowsPanel, drive: Callable[..., None]
) -> None:
    run_id = _waiting_for_approval(panel, drive)
    announced: list[Changes] = []
    operation_hub().did_execute.connect(announced.append)
    panel.approve_button.click()
    drive(lambda: bool(announced))
    operation_hub().did_execute.disconnect(announced.append)
    assert (announced[0].area, announced[0].ids, announced[0].initiator) == (ChangeArea.WORKFLOWS, (run_id,), panel)


def test_an_approved_run_updates_its_row_and_steps_without_a_reset(
    panel: WorkflowsPanel, drive: Callable[..., None]
) -> None:
    _waiting_for_approval(panel, drive)
    resets: list[str] = []
    panel.runs_model.modelReset.connect(lambda: resets.append("runs"))
    panel.steps_model.modelReset.connect(lambda: resets.append("steps"))
    panel.approve_button.click()
    drive(lambda: (panel.runs_model.row_dict(0) or {}).get("status") == "succeeded")
    drive(lambda: [s["status"] for s in panel.steps_model.rows()][-1:] == ["succeeded"])
    assert panel.runs_model.rowCount() == 1
    assert resets == []


def test_a_refused_resume_reaches_the_user_and_announces_nothing(
    panel: WorkflowsPanel, drive: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _waiting_for_approval(panel, drive)
    shown: list[str] = []
    monkeypatch.setattr(panel_module, "show_error", lambda parent, message: shown.append(message))
    announced: list[Changes] = []
    operation_hub().did_execute.connect(announced.append)
    panel._repair("resume")  # the button is off for a running run; the service refuses it as well
    drive(lambda: bool(shown))
    operation_hub().did_execute.disconnect(announced.append)
    assert run_id[:10] in shown[0] or "running" in shown[0]
    assert announced == []
    panel.approve_button.click()  # let the run end before the loop closes
    drive(lambda: (panel.runs_model.row_dict(0) or {}).get("status") == "succeeded")
