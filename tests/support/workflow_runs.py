"""Starting workflow runs from the Workflows panel in tests: its writes run in the background on the
qasync loop, so a test drives the loop until the panel reports the new run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pytestqt.qtbot import QtBot

from ui.panels.workflows_panel import WorkflowsPanel

if TYPE_CHECKING:
    from services.bootstrap import Services


def started(panel: WorkflowsPanel, drive: Callable[..., None], act: Callable[[], None]) -> str | None:
    """Call ``act`` (a start or re-run from the panel, written in the background) and wait for its run id
    (None when it was refused)."""
    ids: list[str | None] = []
    panel.run_started.connect(ids.append)
    try:
        act()
        drive(lambda: bool(ids))
    finally:
        panel.run_started.disconnect(ids.append)
    return ids[0]


def opened(qtbot: QtBot, services: Services) -> WorkflowsPanel:
    """A Workflows panel once its definitions (read in the background) are shown, the first selected."""
    panel = WorkflowsPanel(services)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.definitions_loaded, timeout=10_000):
        pass
    return panel


def imported(qtbot: QtBot, panel: WorkflowsPanel, path: Path) -> None:
    """Import the definition at ``path`` from the panel (off the GUI thread) and wait until it is shown
    selected: the definitions read that follows the import, not one that was on its way before it."""
    seen: list[str] = []

    def on_status(message: str) -> None:
        if message.startswith("imported "):
            seen.append("imported")

    def on_loaded() -> None:
        if seen:
            seen.append("loaded")

    panel.status_message.connect(on_status)
    panel.definitions_loaded.connect(on_loaded)
    try:
        panel.import_file(path)
        qtbot.waitUntil(lambda: "loaded" in seen, timeout=10_000)
    finally:
        panel.status_message.disconnect(on_status)
        panel.definitions_loaded.disconnect(on_loaded)
