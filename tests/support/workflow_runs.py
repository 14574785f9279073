"""Starting workflow runs from the Workflows panel in tests: its writes run in the background on the
qasync loop, so a test drives the loop until the panel reports the new run."""

from __future__ import annotations

from collections.abc import Callable

from ui.panels.workflows_panel import WorkflowsPanel


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
