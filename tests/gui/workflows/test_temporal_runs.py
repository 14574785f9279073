"""The Workflows panel shows a run on Temporal (real dev server, a worker of the same store) with the same buttons."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import ui.panels.workflows_panel as panel_module
from services.bootstrap import Services
from services.workflows.temporal.config import QueueKind, TemporalConfig, temporal_config
from services.workflows.temporal.worker import serve
from tests.support.temporal_server import TemporalServer
from tests.support.workflow_runs import imported, opened, started
from ui.panels.workflows_panel import WorkflowsPanel


@pytest.fixture
def temporal(temporal_server: TemporalServer, monkeypatch: pytest.MonkeyPatch) -> TemporalConfig:
    monkeypatch.setenv("TRENDFORGE_TEMPORAL_ADDRESS", temporal_server.address)
    monkeypatch.setenv("TRENDFORGE_TEMPORAL_TASK_QUEUE", f"tf-{uuid.uuid4().hex[:10]}")  # this test's own runs
    return temporal_config(lambda _key: None, os.environ)


@pytest.fixture
def worker_app(temporal: TemporalConfig, make_services: Callable[..., Services]) -> Iterator[Services]:
    """Another app on the same data dir (another machine on the studio's store) running a worker on a thread."""
    other = make_services()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(serve(temporal, other.ctx, other.workflows.registry, tuple(QueueKind), stop,
                                      lambda _names: ready.set()))

    thread = threading.Thread(target=run, name="temporal-worker", daemon=True)
    thread.start()
    assert ready.wait(30)
    yield other
    loop.call_soon_threadsafe(stop.set)
    thread.join(30)
    loop.close()


def _shows(panel: WorkflowsPanel, run_id: str, status: str) -> bool:
    """Select the run (the panel reads it again); True once its header shows ``status``."""
    panel.select_run(run_id)
    return f"<b>{status}</b>" in panel.run_label.text()


def _settle(qtbot: QtBot, panel: WorkflowsPanel) -> None:
    """Let the panel's background reads (of Temporal) end before the loops close."""
    from tests.support.gate import background_settled

    qtbot.waitUntil(lambda: not panel._refresh_timer.isActive() and background_settled(), timeout=10_000)


def test_a_temporal_run_is_listed_approved_with_the_button_and_ends_succeeded(
        qtbot: QtBot, services: Services, worker_app: Any, drive: Callable[..., None], tmp_path: Path) -> None:
    panel = opened(qtbot, services)
    panel.resize(1200, 760)
    panel.show()
    qtbot.waitExposed(panel)
    run_id = started(panel, drive, lambda: panel.start_run("approval-demo", {"what": "the summer release"}))
    assert run_id is not None
    drive(lambda: (panel.select_run(run_id), panel.approve_button.isEnabled())[1], timeout=30)
    assert "on Temporal" in panel.run_label.text()
    assert [r["id"] for r in (panel.runs_model.row_dict(i) for i in range(panel.runs_model.rowCount())) if r] == [run_id]
    panel.grab().save(str(tmp_path / "temporal-run-waiting.png"))
    qtbot.mouseClick(panel.approve_button, Qt.MouseButton.LeftButton)
    drive(lambda: _shows(panel, run_id, "succeeded"), timeout=30)
    assert not panel.resume_button.isEnabled()
    assert panel.rerun_button.isEnabled() and panel.compensate_button.isEnabled()
    panel.grab().save(str(tmp_path / "temporal-run-done.png"))
    _settle(qtbot, panel)


UNDOABLE = {
    "name": "undoable",
    "steps": [
        {"name": "a", "action": "noop", "inputs": {"value": 1}, "compensation": {"action": "notify", "inputs": {"title": "undo a"}}},
        {"name": "b", "action": "noop", "inputs": {"value": 2}, "compensation": {"action": "notify", "inputs": {"title": "undo b"}}},
    ],
}


def test_a_finished_temporal_run_is_compensated_with_the_button_once(
        qtbot: QtBot, services: Services, worker_app: Any, drive: Callable[..., None], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    panel = opened(qtbot, services)
    panel.resize(1200, 760)
    panel.show()
    qtbot.waitExposed(panel)
    f = tmp_path / "undoable.json"
    f.write_text(json.dumps(UNDOABLE))
    imported(qtbot, panel, f)
    run_id = started(panel, drive, lambda: panel.start_run("undoable", {}))
    assert run_id is not None
    drive(lambda: _shows(panel, run_id, "succeeded"), timeout=30)
    assert panel.compensate_button.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(panel_module, "ask_compensate", lambda parent, message: asked.append(message) or True)
    qtbot.mouseClick(panel.compensate_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "b (notify), a (notify)" in asked[0]
    drive(lambda: _shows(panel, run_id, "compensated"), timeout=30)
    assert not panel.compensate_button.isEnabled()  # a run on Temporal is undone once
    assert {s["name"]: s["status"] for s in panel.run_detail()["steps"]} == {"a": "compensated", "b": "compensated"}  # type: ignore[index]
    panel.grab().save(str(tmp_path / "temporal-run-compensated.png"))
    _settle(qtbot, panel)
