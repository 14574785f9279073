"""Links between areas: a payment opens its template; a build opens its template, its workflow run and its
events; a run opens its trend, template, build and events. By button, context menu and shortcut."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from ui.app_runner import create_window
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[3]
RUN = "c3" * 16
BUILD = "0b" * 16  # the signed build of the busy data dir
TREND = "a1" * 16


def test_a_payment_opens_its_template(qtbot: QtBot, busy: Any) -> None:
    busy.home.import_samples()
    window = create_window(busy)
    qtbot.addWidget(window)
    window.show()
    payments = window.show_panel("Payments")
    qtbot.waitUntil(lambda: payments.model.rowCount() > 0, timeout=5000)  # the ledger is read off the GUI thread
    txn = next(t for t in payments.model.rows() if t.template_id == "quotes-daily")
    payments.select_item(txn.id)
    assert payments.template_button.isEnabled()
    payments.template_button.click()
    assert window.current_title() == "Templates"
    templates = window.panels["Templates"]
    qtbot.waitUntil(lambda: templates.current is not None and templates.current.id == "quotes-daily", timeout=5000)


@pytest.fixture
def linked(busy: Any) -> Any:
    """The busy data dir plus a finished trend-to-release run that picked trend a1…, made quotes-daily and
    built 0b…; the build's record names the run and its events carry the run's correlation."""
    from app.builds.events import BuildQueued, BuildSucceeded
    from services.builds.models import BuildRecord
    from services.workflows.models import WorkflowRunRecord, WorkflowStepRecord
    from tests.gui.home.conftest import NOW

    busy.home.import_samples()
    definition = json.loads((ROOT / "resources" / "workflows" / "trend_to_release.json").read_text())
    outputs = {"pick": {"trend_id": TREND, "title": "Cozy games"}, "template": {"template_id": "quotes-daily"},
               "build": {"build_id": BUILD, "state": "built"}, "sign": {"build_id": BUILD}, "deploy": {}}
    with busy.ctx.new_uow() as uow:
        uow.session.add(WorkflowRunRecord(
            id=RUN, workflow="trend-to-release", version=definition["version"], definition=definition,
            status="succeeded", inputs={"base_template": "trivia-quiz", "deploy_dir": "/tmp/x"}, signals={},
            created_at=NOW - timedelta(hours=6), started_at=NOW - timedelta(hours=6), ended_at=NOW - timedelta(hours=4)))
        for i, step in enumerate(definition["steps"]):
            uow.session.add(WorkflowStepRecord(run_id=RUN, position=i, name=step["name"], action=step["action"],
                                               status="succeeded", attempts=1, inputs={}, output=outputs[step["name"]]))
        build = uow.session.get(BuildRecord, BUILD)
        assert build is not None
        build.options = {"correlation_id": RUN}
        uow.commit()
    busy.bus.publish(BuildQueued(build_id=BUILD, template_id="quotes-daily", platform="apk", version_name="1.0.0",
                                 correlation_id=RUN))
    busy.bus.publish(BuildSucceeded(build_id=BUILD, template_id="quotes-daily", artifact="app.apk",
                                    correlation_id=RUN))
    for svc in busy.services():
        svc.invalidate()
    return busy


def _window(qtbot: QtBot, services: Any) -> MainWindow:
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    return window


def _builds_with(qtbot: QtBot, window: MainWindow, build_id: str) -> Any:
    from app.home.model import Area, ItemRef

    panel = window.open_item(ItemRef(Area.BUILDS, build_id))
    qtbot.waitUntil(lambda: panel.selected() is not None and panel.selected().id == build_id, timeout=5000)
    qtbot.waitUntil(panel.links.isEnabled, timeout=5000)
    return panel


def _workflows_with(qtbot: QtBot, window: MainWindow, run_id: str) -> Any:
    from app.home.model import Area, ItemRef

    panel = window.open_item(ItemRef(Area.WORKFLOWS, run_id))
    qtbot.waitUntil(lambda: panel._detail is not None and panel._detail["id"] == run_id, timeout=5000)
    return panel


def _assert_template_shown(qtbot: QtBot, window: MainWindow, template_id: str) -> None:
    assert window.current_title() == "Templates"
    templates = window.panels["Templates"]
    qtbot.waitUntil(lambda: templates.current is not None and templates.current.id == template_id, timeout=5000)


def _assert_events_about(qtbot: QtBot, window: MainWindow, item_id: str) -> None:
    assert window.current_title() == "Events"
    events = window.panels["Events"]
    qtbot.waitUntil(lambda: item_id in (events.search_edit.text(), events.correlation_edit.text())
                    and not events.loading and events.model.rowCount() > 0, timeout=5000)
    shown = [events.model.event_at(r) for r in range(events.model.rowCount())]
    assert shown and all(e is not None and item_id in json.dumps(e.payload()) + str(e.correlation_id) for e in shown)


def test_a_build_opens_its_template(qtbot: QtBot, linked: Any) -> None:
    window = _window(qtbot, linked)
    builds = _builds_with(qtbot, window, BUILD)
    assert builds.links.open("template")
    _assert_template_shown(qtbot, window, "quotes-daily")


def test_a_build_opens_its_workflow_run(qtbot: QtBot, linked: Any) -> None:
    window = _window(qtbot, linked)
    builds = _builds_with(qtbot, window, BUILD)
    assert builds.links.actions_["run"].isEnabled()
    builds.links.actions_["run"].trigger()
    assert window.current_title() == "Workflows"
    runs = window.panels["Workflows"]
    qtbot.waitUntil(lambda: runs.current_run == RUN, timeout=5000)


def test_a_build_opens_its_events(qtbot: QtBot, linked: Any) -> None:
    window = _window(qtbot, linked)
    builds = _builds_with(qtbot, window, BUILD)
    builds.links.actions_["events"].trigger()
    _assert_events_about(qtbot, window, BUILD)
    assert window.panels["Events"].search_edit.text() == BUILD  # no event is correlated with a build's id


def test_a_build_no_run_started_has_no_run_link(qtbot: QtBot, linked: Any) -> None:
    window = _window(qtbot, linked)
    builds = _builds_with(qtbot, window, "1b" * 16)
    assert not builds.links.actions_["run"].isEnabled() and builds.links.actions_["template"].isEnabled()
    assert builds.links.open("run") is False and window.current_title() == "Builds"


def test_the_template_link_has_a_shortcut_in_the_builds_panel(qtbot: QtBot, linked: Any) -> None:
    window = _window(qtbot, linked)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    builds = _builds_with(qtbot, window, BUILD)
    builds.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is builds.table, timeout=5000)
    qtbot.keyClick(builds.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    _assert_template_shown(qtbot, window, "quotes-daily")


def test_shift_f10_on_a_build_opens_the_links_menu(qtbot: QtBot, linked: Any) -> None:
    window = _window(qtbot, linked)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    builds = _builds_with(qtbot, window, BUILD)
    builds.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is builds.table, timeout=5000)
    qtbot.keyClick(builds.table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=5000)
    menu = QApplication.activePopupWidget()
    assert [a.text() for a in menu.actions()] == ["&Template", "Workflow &run", "&Events"]
    qtbot.keyClick(menu, Qt.Key.Key_E)  # the mnemonic
    _assert_events_about(qtbot, window, BUILD)


@pytest.mark.parametrize(("key", "title", "item"), [
    ("trend", "Trends", TREND), ("template", "Templates", "quotes-daily"), ("build", "Builds", BUILD),
    ("events", "Events", RUN),
])
def test_a_run_opens_its_linked_item(qtbot: QtBot, linked: Any, key: str, title: str, item: str) -> None:
    window = _window(qtbot, linked)
    runs = _workflows_with(qtbot, window, RUN)
    assert runs.links.open(key)
    assert window.current_title() == title
    panel = window.panels[title]
    if title == "Trends":
        qtbot.waitUntil(lambda: "Cozy games" in panel.detail_title.text(), timeout=5000)
    elif title == "Templates":
        _assert_template_shown(qtbot, window, item)
    elif title == "Builds":
        qtbot.waitUntil(lambda: panel.selected() is not None and panel.selected().id == item, timeout=5000)
    else:
        _assert_events_about(qtbot, window, item)
        assert panel.correlation_edit.text() == RUN  # a run's events, its builds' too, share its correlation
        assert panel.model.rowCount() == 2
