"""Builds panel writes run off the GUI thread (like its reads) and announce what they changed."""

from __future__ import annotations

from typing import Any

from app.builds.model import Backend, BuildInfo, BuildState, Platform
from services.bootstrap import Services
from services.builds.service import BuildsService
from services.runtime import job_runtime
from tests.support.gui_writes import assert_wrote_in_the_background, click_while_locked
from ui.operations import ChangeArea, operation_hub
from ui.panels.builds.model import BuildsTableModel
from ui.panels.builds_panel import BuildsPanel


def _cancelled_while_queued(builds: BuildsService) -> BuildInfo:
    """A build to retry, made without running a tool: cancelled before the runner starts it."""
    info = builds.start_build("quotes-daily", "1.0.0", "apk")
    builds.cancel(info.id)
    assert builds.get(info.id).state is BuildState.CANCELLED
    return info


def _panel_on(qtbot: Any, services: Services, build_id: str) -> BuildsPanel:
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.row_of(build_id) == 0, timeout=10_000)
    panel.table.selectRow(0)
    qtbot.waitUntil(panel.retry_button.isEnabled, timeout=10_000)
    return panel


def _stop_what_was_started(qtbot: Any, builds: BuildsService) -> None:
    builds.runner.limit = 1
    for build_id in [*builds.runner.queued_ids(), *builds.runner.running_ids()]:
        builds.cancel(build_id)
    qtbot.waitUntil(lambda: not builds.runner.busy(), timeout=30_000)
    job_runtime().drain(10)
    qtbot.wait(50)


def test_retry_returns_at_once_and_the_gui_thread_never_stalls_while_its_write_waits(
    qtbot: Any, services: Services, builds: BuildsService
) -> None:
    first = _cancelled_while_queued(builds)
    panel = _panel_on(qtbot, services, first.id)
    # the retried build stays queued: this measures the write, not the runner starting a job
    # (BuildJob.start records the start on the GUI thread: a stall of its own, not this write's)
    builds.runner.limit = 0
    timing = click_while_locked(qtbot, services.config.db_path, panel, panel.retry_button.click)
    assert_wrote_in_the_background(timing)
    _stop_what_was_started(qtbot, builds)


def test_a_retry_announces_both_builds_and_the_panel_that_asked(
    qtbot: Any, services: Services, builds: BuildsService
) -> None:
    first = _cancelled_while_queued(builds)
    panel = _panel_on(qtbot, services, first.id)
    with qtbot.waitSignal(operation_hub().did_execute, timeout=30_000) as announced:
        panel.retry_button.click()
    changes = announced.args[0]
    (new,) = [b for b in builds.list_builds() if b.retry_of == first.id]
    assert (changes.area, changes.ids, changes.initiator) == (ChangeArea.BUILDS, (first.id, new.id), panel)
    qtbot.waitUntil(lambda: panel.model.row_of(new.id) == 0, timeout=10_000)  # its row, selected
    assert panel.selected() is not None and panel.selected().id == new.id  # type: ignore[union-attr]
    _stop_what_was_started(qtbot, builds)


def test_a_cancel_from_the_panel_runs_off_the_gui_thread_and_updates_that_row(
    qtbot: Any, services: Services, builds: BuildsService
) -> None:
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    builds.set_concurrency(1)
    running = builds.start_build("quotes-daily", "1.0.0", "apk")
    queued = builds.start_build("trivia-quiz", "1.0.0", "apk")  # waits behind the first
    qtbot.waitUntil(lambda: panel.model.row_of(queued.id) >= 0 and panel.model.row_of(running.id) >= 0, timeout=10_000)
    panel.table.selectRow(panel.model.row_of(queued.id))
    qtbot.waitUntil(panel.cancel_button.isEnabled, timeout=10_000)
    resets: list[bool] = []
    panel.model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(operation_hub().did_execute, timeout=30_000) as announced:
        panel.cancel_button.click()
    assert announced.args[0].ids == (queued.id,)
    qtbot.waitUntil(lambda: panel.model.builds()[panel.model.row_of(queued.id)].state is BuildState.CANCELLED,
                    timeout=10_000)
    assert resets == []  # the row was updated, the table not reset
    _stop_what_was_started(qtbot, builds)


def _info(build_id: str, state: BuildState = BuildState.QUEUED) -> BuildInfo:
    return BuildInfo(id=build_id, template_id="t", application_id="com.example.t", platform=Platform.APK,
                     backend=Backend.DIRECT, version_name="1.0.0", version_code=1, key_alias=None,
                     deploy_target=None, state=state)


def test_the_builds_table_takes_a_new_list_row_by_row_without_a_reset(qtmodeltester: Any) -> None:
    model = BuildsTableModel()
    model.set_builds([_info("b"), _info("a")])
    seen: list[tuple[str, int]] = []
    model.modelReset.connect(lambda: seen.append(("reset", -1)))
    model.rowsInserted.connect(lambda _p, first, _last: seen.append(("inserted", first)))
    model.rowsRemoved.connect(lambda _p, first, _last: seen.append(("removed", first)))
    model.dataChanged.connect(lambda top, _bottom, _roles=(): seen.append(("changed", top.row())))
    model.set_builds([_info("c"), _info("b", BuildState.RUNNING)])
    assert seen == [("removed", 1), ("inserted", 0), ("changed", 1)]
    assert [(b.id, b.state) for b in model.builds()] == [("c", BuildState.QUEUED), ("b", BuildState.RUNNING)]
    qtmodeltester.check(model)
