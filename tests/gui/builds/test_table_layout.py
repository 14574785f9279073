"""What the Builds panel paints: the table sizes its columns from the font, not from its rows
(showing 500 builds, the panel's page, asks the model only for the rows on screen; sized to its
contents, the header asked every row of every column: ~450 ms of the open at a studio's 10,000
builds), and the selected build's progress is painted with the next frame."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from pytestqt.qtbot import QtBot

from app.builds.model import Backend, BuildInfo, BuildState, Platform
from services.bootstrap import Services
from ui.background import pending
from ui.panels.builds.model import BuildsTableModel
from ui.panels.builds_panel import BuildsPanel


def _info(n: int) -> BuildInfo:
    return BuildInfo(id=f"b{n:031x}", template_id=f"tpl-{n % 40}", application_id="com.example.t",
                     platform=Platform.APK, backend=Backend.DIRECT, version_name=f"1.{n}.0", version_code=n + 1,
                     key_alias=None, deploy_target=None, state=BuildState.SIGNED, step="done", percent=100.0)


def test_showing_500_builds_asks_the_model_for_the_rows_on_screen_only(
        qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    panel.resize(1200, 700)
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show()
    asked: set[int] = set()
    real = BuildsTableModel.data

    def data(self: BuildsTableModel, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        asked.add(index.row())
        return real(self, index, role)

    monkeypatch.setattr(BuildsTableModel, "data", data)
    panel.model.set_builds([_info(n) for n in range(500)])
    panel.table.horizontalHeader().resizeSections()  # what the header does after rows come, at once
    panel.grab()  # laid out and painted
    visible = panel.table.viewport().height() // panel.table.verticalHeader().defaultSectionSize() + 1
    assert asked, "the table painted no row"
    assert max(asked) <= visible


def test_the_selected_builds_progress_is_painted_with_the_next_frame_not_at_each_signal(
        qtbot: QtBot, services: Services) -> None:
    """QProgressBar repainted itself (the whole bar, synchronously) at each percent: ~10 ms a signal."""
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show()
    qtbot.waitExposed(panel)
    painted: list[int] = []

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(panel.progress.value())
            return False

    paints = Paints(panel)
    panel.progress.installEventFilter(paints)
    for percent in (10, 20, 30, 40):
        panel.progress.setValue(percent)
    assert painted == []  # none while the values came
    qtbot.waitUntil(lambda: bool(painted), timeout=5000)
    assert set(painted) == {40}  # only the last value was painted (other updates may paint it again)


def test_a_flood_into_the_live_log_edits_the_document_200_lines_at_a_time(qtbot: QtBot, services: Services) -> None:
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    flushed: list[int] = []
    panel.log.flushed.connect(flushed.append)
    for start in range(0, 10_000, 1000):
        panel.log.append_lines([f"line {i}" for i in range(start, start + 1000)])
    qtbot.waitUntil(lambda: bool(flushed), timeout=5000)
    assert flushed == [200]  # the newest 200 of the 10,000; the others counted as skipped
    assert panel.log.text.toPlainText().splitlines()[-1] == "line 9999"


def test_the_panel_starts_its_first_reads_after_it_is_built(qtbot: QtBot, services: Services) -> None:
    """No worker competes (for the GIL) with building, showing and painting it: the reads start a turn later."""
    before = pending()
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    assert pending() == before
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show()
