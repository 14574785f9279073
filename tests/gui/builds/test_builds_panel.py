"""The Builds panel driven through its widgets, on a real service running real tools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.builds.model import BuildState
from services.bootstrap import Services
from services.builds.service import BuildsService
from services.runtime import job_runtime
from tests.support.qasync_loop import build_ended
from ui.panels.builds.keys_dialog import KeysDialog
from ui.panels.builds.log_view import LogView
from ui.panels.builds_panel import BuildsPanel


def test_build_from_the_panel_shows_progress_log_notification_and_stats(
    qtbot: Any, qtmodeltester: Any, services: Services, builds: BuildsService
) -> None:
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    panel.resize(1300, 700)
    qtbot.waitUntil(lambda: panel.key_box.count() == 1, timeout=10_000)
    panel.template_box.setCurrentText("quotes-daily")
    panel.version_edit.setText("2.1.0")
    panel.platform_box.setCurrentText("apk")
    steps: list[str] = []
    builds.runner.progressed.connect(lambda _id, step, _pct: steps.append(step))
    with qtbot.waitSignal(panel.notify_requested, timeout=90_000) as notified:
        qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    assert notified.args[0] == "Build signed"
    assert "quotes-daily 2.1.0 (apk)" in notified.args[1]
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and panel.model.builds()[0].state is BuildState.SIGNED,
                    timeout=10_000)
    qtmodeltester.check(panel.model)
    info = panel.model.builds()[0]
    assert panel.model.data(panel.model.index(0, 4)) == "signed"
    assert panel.model.data(panel.model.index(0, 6)) == "100%"
    assert "sign" in steps and "verify" in steps
    panel.table.selectRow(0)
    qtbot.waitUntil(lambda: "apksigner" in panel.log.text.toPlainText(), timeout=10_000)
    assert panel.fingerprint_label.text() == info.fingerprint
    assert panel.copy_button.isEnabled() and panel.open_button.isEnabled()
    assert not panel.cancel_button.isEnabled() and not panel.retry_button.isEnabled()
    panel.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == info.fingerprint
    qtbot.waitUntil(lambda: panel.stats_table.rowCount() == 1, timeout=10_000)
    assert panel.stats_table.item(0, 3).text() == "100%"
    _drain_background(qtbot)


def test_the_release_checklist_follows_the_form_and_a_refused_build_shows_every_problem(
        qtbot: Any, services: Services, builds: BuildsService, package_factory: Any, tmp_path: Path) -> None:
    package_factory("old-app", target_sdk=33, application_id="com.indie.oldapp")
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    panel.resize(1300, 800)
    qtbot.waitUntil(lambda: panel.key_box.count() == 1, timeout=10_000)
    panel.template_box.setCurrentText("old-app")
    panel.platform_box.setCurrentText("apk")
    panel.deploy_edit.setText(f"folder:{tmp_path}")
    qtbot.waitUntil(lambda: panel.release_checklist.summary.text().startswith("Ready for release (apk, folder)"),
                    timeout=10_000)
    assert any(line.startswith("⚠  target_sdk: 33 is below 36") for line in panel.release_checklist.lines())
    panel.platform_box.setCurrentText("aab")
    panel.deploy_edit.setText("play:internal")
    qtbot.waitUntil(lambda: panel.release_checklist.summary.text().startswith("Not ready"), timeout=10_000)
    assert "✗  target_sdk: 33 is below Google Play's minimum 36; set target_sdk to 36 or more" in \
        panel.release_checklist.lines()
    qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.error_label.text().startswith("not ready for release: target_sdk"), timeout=10_000)
    assert panel.model.rowCount() == 0 and builds.list_builds() == []  # nothing queued, no versionCode spent
    _drain_background(qtbot)


def test_a_build_started_from_the_panel_replaces_the_log_shown_instead_of_appending_to_it(
    qtbot: Any, services: Services, builds: BuildsService
) -> None:
    first = build_ended(builds, builds.start_build("quotes-daily", "1.0.0", "apk").id, 90)
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and panel.key_box.count() == 1, timeout=10_000)
    panel.table.selectRow(0)
    qtbot.waitUntil(lambda: f"== build {first.id}" in panel.log.text.toPlainText(), timeout=10_000)
    panel.template_box.setCurrentText("trivia-quiz")
    panel.version_edit.setText("1.0.0")
    panel.platform_box.setCurrentText("apk")
    with qtbot.waitSignal(panel.notify_requested, timeout=90_000):
        panel.build_button.click()
    second = next(b for b in panel.model.builds() if b.id != first.id)
    qtbot.waitUntil(lambda: "== done: signed" in panel.log.text.toPlainText(), timeout=10_000)
    shown = panel.log.text.toPlainText()
    assert f"== build {second.id}" in shown
    assert f"== build {first.id}" not in shown  # used to be the top of it, the new log appended below
    _drain_background(qtbot)


def test_a_folder_deploy_from_the_panel_logs_where_the_release_went(
    qtbot: Any, services: Services, builds: BuildsService, tmp_path: Path
) -> None:
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.key_box.count() == 1, timeout=10_000)
    dest = tmp_path / "released"
    panel.template_box.setCurrentText("quotes-daily")
    panel.version_edit.setText("1.0.0")
    panel.platform_box.setCurrentText("apk")
    panel.deploy_edit.setText(f"folder:{dest}")
    with qtbot.waitSignal(panel.notify_requested, timeout=90_000) as notified:
        panel.build_button.click()
    assert notified.args[0] == "Build deployed"
    (apk,) = dest.glob("*.apk")
    qtbot.waitUntil(lambda: "== done: deployed" in panel.log.text.toPlainText(), timeout=10_000)
    deployed = [line for line in panel.log.text.toPlainText().splitlines() if line.startswith("== deployed")]
    assert deployed == [f"== deployed: {apk}"]  # used to name the build's own output file
    _drain_background(qtbot)


def test_failed_build_can_be_retried_from_the_panel(qtbot: Any, services: Services, builds: BuildsService,
                                                   package_factory: Any) -> None:
    pkg = package_factory("flaky-app")
    broken = pkg / "android" / "res" / "layout" / "broken.xml"  # over the runtime's resources
    broken.parent.mkdir(parents=True)
    broken.write_text("<oops")
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.notify_requested, timeout=60_000) as notified:
        builds.start_build("flaky-app", "1.0.0", "apk")
    assert notified.args[0] == "Build failed" and "broken.xml" in notified.args[1]
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and panel.retry_button.isEnabled(), timeout=10_000)
    assert "broken.xml" in panel.error_label.text()
    broken.unlink()
    with qtbot.waitSignal(panel.notify_requested, timeout=60_000) as notified:
        panel.retry_button.click()
    assert notified.args[0] == "Build signed"
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=10_000)
    _drain_background(qtbot)


def test_log_view_stays_bounded_under_a_flood(qtbot: Any) -> None:
    view = LogView(max_lines=2000, flush_ms=20, batch_lines=400)
    qtbot.addWidget(view)
    flushes: list[int] = []
    view.flushed.connect(flushes.append)
    for start in range(0, 100_000, 500):
        view.append_lines([f"line {i}" for i in range(start, start + 500)])
    view.flush()
    for start in range(100_000, 110_000, 100):  # a steadier stream: each flush adds at most a batch
        view.append_lines([f"line {i}" for i in range(start, start + 100)])
        if start % 400 == 0:
            view.flush()
    view.flush()
    assert view.line_count() <= 2000
    assert view.text.toPlainText().splitlines()[-1] == "line 109999"
    assert max(flushes) <= 400 and len(flushes) < 100  # batched, never one append per line
    assert "lines skipped (all in the log file)" in view.dropped_label.text()
    view.search.setText("line 109990")
    assert view.find_next() is True and not view.follow.isChecked()
    assert view.text.textCursor().selectedText() == "line 109990"


def test_keys_dialog_creates_a_key(qtbot: Any, services: Services, builds: BuildsService) -> None:
    dialog = KeysDialog(builds)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)  # the imported test key
    dialog.alias.setText("panel-key")
    dialog.dname.setText("CN=Panel Key, O=Tests, C=US")
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=30_000)
    aliases = {dialog.table.item(r, 0).text() for r in range(2)}
    assert aliases == {"upload", "panel-key"}
    assert services.ctx.secrets.get(builds.passwords.name("panel-key"))
    assert "Back up this key now" in dialog.status.text()
    assert "panel-key ready" in dialog.status.text()
    dialog.alias.setText("Bad Alias")
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("error:"), timeout=10_000)
    assert "invalid key alias" in dialog.status.text()
    _drain_background(qtbot)


def test_keys_dialog_exports_the_selected_key(qtbot: Any, builds: BuildsService, tmp_path: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = KeysDialog(builds)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    target = tmp_path / "upload-backup.p12"
    monkeypatch.setattr(KeysDialog, "ask_export_path", classmethod(lambda cls, parent, alias: str(target)))
    dialog.table.selectRow(0)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("exported key upload"), timeout=10_000)
    assert target.read_bytes() == Path(builds.list_keys()[0].keystore_path).read_bytes()
    assert builds.passwords.name("upload") in dialog.status.text()
    _drain_background(qtbot)


def _drain_background(qtbot: Any) -> None:
    """Let background loads finish before the widgets go (ui/background.py emits on its bridge
    even when the owner is gone: "Signal source has been deleted")."""

    job_runtime().drain(10)
    qtbot.wait(50)


def test_main_window_hosts_the_panel_and_shows_its_notification(qtbot: Any, services: Services,
                                                               builds: BuildsService) -> None:
    from ui.app_runner import create_window

    window = create_window(services)
    qtbot.addWidget(window)
    panel = window.show_panel("Builds")
    assert isinstance(panel, BuildsPanel)
    with qtbot.waitSignal(panel.notify_requested, timeout=60_000):
        builds.start_build("wallpaper-pack", "1.0.0", "web")
    qtbot.waitUntil(lambda: "Build finished: wallpaper-pack 1.0.0 (web)" in window.statusBar().currentMessage(),
                    timeout=5_000)
    _drain_background(qtbot)


SLOW_GRADLEW = """#!/bin/bash
echo "> Task :app:preBuild UP-TO-DATE"
sleep 300 &
echo $! > "$PIDS_FILE"
wait
"""


def test_cancel_from_the_panel(qtbot: Any, services: Services, builds: BuildsService, package_factory: Any,
                               tmp_path: Any, monkeypatch: Any) -> None:
    pids_file = tmp_path / "pids"
    monkeypatch.setenv("PIDS_FILE", str(pids_file))
    wrapper = package_factory("slow-app") / "android" / "gradlew"
    wrapper.parent.mkdir()
    wrapper.write_text(SLOW_GRADLEW)
    wrapper.chmod(0o755)
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    info = builds.start_build("slow-app", "1.0.0", "apk")
    qtbot.waitUntil(lambda: pids_file.exists() and pids_file.read_text().strip() != "", timeout=20_000)
    qtbot.waitUntil(lambda: panel.model.row_of(info.id) >= 0, timeout=10_000)
    panel.table.selectRow(panel.model.row_of(info.id))
    qtbot.waitUntil(panel.cancel_button.isEnabled, timeout=10_000)
    qtbot.waitUntil(lambda: "preBuild" in panel.log.text.toPlainText(), timeout=10_000)  # live log
    with qtbot.waitSignal(panel.notify_requested, timeout=20_000) as notified:
        panel.cancel_button.click()
    assert notified.args[0] == "Build cancelled"
    assert builds.get(info.id).state is BuildState.CANCELLED
    sleeper = int(pids_file.read_text())

    def gone() -> bool:
        stat = Path(f"/proc/{sleeper}/stat")
        return not stat.exists() or stat.read_text().split()[2] == "Z"

    qtbot.waitUntil(gone, timeout=5_000)
    _drain_background(qtbot)


def test_the_build_form_fields_have_names_and_alt_letters(qtbot: Any, services: Services) -> None:
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=5000)
    assert [w.accessibleName() for w in (panel.template_box, panel.version_edit, panel.platform_box, panel.key_box,
                                         panel.deploy_edit)] == ["Template", "Version", "Platform", "Key", "Deploy to"]
    panel.version_edit.setFocus()
    qtbot.keyClick(panel.version_edit, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.platform_box, timeout=5000)
    qtbot.keyClick(panel.platform_box, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.version_edit, timeout=5000)


def _past_builds(services: Services, n: int) -> list[str]:
    """Builds recorded earlier (rows as the service leaves them), newest first."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from services.builds.models import BuildRecord

    now = datetime.now(UTC)
    rows = [{"id": f"b{i:031x}", "template_id": "quotes-daily", "application_id": "com.example.quotes",
             "app_name": "Quotes", "platform": "web", "backend": "direct", "version_name": f"1.0.{i}",
             "version_code": i + 1, "state": "failed", "step": "done", "percent": 100.0,
             "created_at": now - timedelta(minutes=i), "error": f"build {i} failed", "options": {}} for i in range(n)]
    with services.ctx.engine.begin() as conn:
        conn.execute(insert(BuildRecord), rows)
    return [r["id"] for r in rows]


def test_a_reload_reads_off_the_gui_thread_and_a_superseded_one_is_stopped(qtbot: Any, services: Services) -> None:
    from tests.support.gate import Gate, background_settled

    _past_builds(services, 3)
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3 and background_settled(), timeout=10_000)
    gate = Gate()
    panel.service.list_builds = gate.wrap(panel.service.list_builds)  # type: ignore[method-assign]
    loads: list[int] = []
    panel.loaded.connect(lambda: loads.append(panel.model.rowCount()))
    try:
        panel.reload()  # held on the worker: the slot has returned already
        assert gate.held.wait(5)
        with qtbot.waitSignal(panel.loaded, timeout=10_000):
            panel.reload()
        gate.release()
        qtbot.waitUntil(lambda: gate.done.is_set() and background_settled(), timeout=10_000)
    finally:
        gate.release()
        del panel.service.list_builds
    assert loads == [3]
    assert gate.stopped, gate.first_error
    assert gate.off_gui_thread


def test_a_click_reads_the_log_off_the_gui_thread_and_drops_a_superseded_one(qtbot: Any, services: Services) -> None:
    from tests.support.gate import Gate, background_settled

    ids = _past_builds(services, 3)
    panel = BuildsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3 and background_settled(), timeout=10_000)
    gate = Gate()
    panel.service.log_tail = gate.wrap(panel.service.log_tail)  # type: ignore[method-assign]
    shown: list[str] = []
    panel.log_loaded.connect(shown.append)
    try:
        panel.table.selectRow(panel.model.row_of(ids[1]))  # held
        assert gate.held.wait(5)
        with qtbot.waitSignal(panel.log_loaded, timeout=10_000):
            panel.table.selectRow(panel.model.row_of(ids[2]))
        gate.release()
        qtbot.waitUntil(lambda: gate.done.is_set() and background_settled(), timeout=10_000)
    finally:
        gate.release()
        del panel.service.log_tail
    assert shown == [ids[2]]
    assert panel.title.text().startswith("quotes-daily 1.0.2")
    assert gate.off_gui_thread
