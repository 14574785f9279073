"""Markup in a workflow definition and in a step's error is shown as the text it is."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from services.bootstrap import Services
from tests.support.hostile import MARKUP, rendered, shown
from tests.support.workflow_runs import imported, opened, started
from ui.panels.workflows_panel import WorkflowsPanel


def definition(text: str) -> dict[str, Any]:
    return {
        "name": "hostile", "title": f"T {text}", "description": f"D {text}",
        "steps": [{"name": "boom", "action": "fail", "inputs": {"message": f"E {text}"}}],
    }


@pytest.fixture
def panel(qtbot: QtBot, services: Services, aloop: Any) -> WorkflowsPanel:
    return opened(qtbot, services)


@pytest.mark.parametrize("text", MARKUP)
def test_definition_header_shows_markup_as_text(panel: WorkflowsPanel, qtbot: QtBot, tmp_path: Path, text: str) -> None:
    f = tmp_path / "hostile.json"
    f.write_text(json.dumps(definition(text)))
    imported(qtbot, panel, f)
    assert panel.selected_definition()["name"] == "hostile"  # type: ignore[index]
    header = shown(panel.def_title)
    assert header.startswith(f"T {text} v1") and header.endswith(f"D {text}")
    row = panel.defs_model.row_of("hostile")
    assert rendered(panel.defs_model.data(panel.defs_model.index(row), 3)).endswith(f"D {text}")  # Qt.ToolTipRole


@pytest.mark.parametrize("text", MARKUP[:2])
def test_run_error_shows_markup_as_text(panel: WorkflowsPanel, qtbot: QtBot, tmp_path: Path, drive: Callable[..., None],
                                        text: str) -> None:
    f = tmp_path / "hostile.json"
    f.write_text(json.dumps(definition(text)))
    imported(qtbot, panel, f)
    assert started(panel, drive, lambda: panel.start_run("hostile", {}))
    drive(lambda: panel.run_detail() is not None and panel.run_detail()["status"] == "failed")  # type: ignore[index]
    panel.refresh_timeline()  # read in the background
    drive(lambda: f"E {text}" in shown(panel.run_label))
