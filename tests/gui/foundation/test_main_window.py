"""The main window, navigation, settings dialog and Events panel, driven with qtbot."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.events import AppStarted, CredentialSet, Event, SettingsChanged
from services.bootstrap import Services
from services.runtime import job_runtime
from ui.app_runner import create_window, ui_settings
from ui.main_window import MainWindow, remembered_theme
from ui.panels import events_panel as events_panel_module
from ui.panels.events_panel import EventsPanel
from ui.settings_dialog import SettingsDialog


@pytest.fixture
def window(qtbot: QtBot, services: Services) -> MainWindow:
    w = create_window(services)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_navigation_shows_every_panel(window: MainWindow, qtbot: QtBot) -> None:
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["Home", "Templates", "Payments", "Trends", "Builds", "Workflows", "Events", "Releases"]
    window.nav.setCurrentRow(len(titles) - 1)
    for row, title in enumerate(titles[:-1]):
        with qtbot.waitSignal(window.panel_changed) as blocker:
            window.nav.setCurrentRow(row)
        assert blocker.args == [title]
        assert window.stack.currentIndex() == row
        assert window.panels[title].isVisible()


def test_the_navigation_has_no_horizontal_scroll_bar(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitExposed(window)
    assert not window.nav.horizontalScrollBar().isVisible()


def test_keyboard_shortcut_switches_panel(window: MainWindow, qtbot: QtBot) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_title() == "Events"


def test_status_bar_shows_health(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: "●" in window.health_label.text(), timeout=5000)
    assert "ok" in window.health_label.text()


def test_a_first_window_fits_the_screen(window: MainWindow) -> None:
    """Nothing remembered yet: the window opens within the screen's free area, even one smaller than its
    usual size (the offscreen screen is 800x600), so no panel's buttons sit off the screen."""
    screen = window.screen().availableGeometry()
    assert window.width() <= screen.width() and window.height() <= screen.height()


def test_state_is_remembered(qtbot: QtBot, services: Services) -> None:
    w = create_window(services)
    qtbot.addWidget(w)
    w.show()
    w.resize(790, 520)
    w.show_panel("Events")
    w.close()
    again = create_window(services)
    qtbot.addWidget(again)
    assert again.current_title() == "Events"
    assert again.size().width() == 790


def test_first_run_banner_names_data_dir(qtbot: QtBot, services: Services) -> None:
    w = MainWindow(ui_settings(services.config.data_dir), services.config.data_dir, first_run=True)
    qtbot.addWidget(w)
    w.show()
    assert w.banner.isVisible()
    assert str(services.config.data_dir) in w.banner_text.text()


def test_settings_dialog_validates_and_saves(qtbot: QtBot, services: Services) -> None:
    dlg = SettingsDialog(services)
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dlg.url_edits["STRIPE"].setText("not a url")
    assert not ok.isEnabled()
    assert "Stripe" in dlg.error.text()
    dlg.url_edits["GOOGLE_TRENDS"].setText("ftp://trends")
    assert "Stripe, Google Trends: a base URL" in dlg.error.text()  # named as the form labels them
    dlg.url_edits["GOOGLE_TRENDS"].setText("")
    dlg.url_edits["STRIPE"].setText("http://127.0.0.1:8420")
    assert ok.isEnabled()
    dlg.theme_box.setCurrentText("dark")
    dlg.secret_edits["stripe"].setText("sk_test_fromdialog")
    dlg.save_secret("gumroad")  # nothing typed
    assert "empty" in dlg.error.text()
    dlg.delete_secret("gumroad")
    assert dlg.error.text() == ""  # a stale error does not outlive the next action
    dlg.save_secret("stripe")
    assert dlg.secret_edits["stripe"].text() == ""
    dlg.accept()
    assert services.settings.get("base_url.stripe") == "http://127.0.0.1:8420"
    assert services.settings.get("ui.theme") == "dark"
    assert services.settings.credential("stripe") == "sk_test_fromdialog"
    # the secret is not in the settings table
    assert "sk_test_fromdialog" not in str(services.settings.all())


def test_settings_opened_from_window(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(SettingsDialog, "ask", classmethod(lambda cls, s, p=None: calls.append(True) or True))
    window.settings_action.trigger()
    assert calls == [True]
    assert window.statusBar().currentMessage() == "Settings saved"


# -- Events panel -------------------------------------------------------------------------------


@pytest.fixture
def panel(qtbot: QtBot, services: Services) -> EventsPanel:
    services.bus.publish_batch([AppStarted(version=str(i), source="app") for i in range(250)])
    services.bus.publish(CredentialSet(name="stripe", source="settings", correlation_id="corr-1"))
    p = EventsPanel(services)
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: not p.loading and p.model.rowCount() > 0, timeout=5000)  # read off the GUI thread
    return p


class _Paints(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_page_of_events_arriving_is_painted_once(qtbot: QtBot, services: Services) -> None:
    # each paint of the table is a GUI-thread stall at scale: rows arriving in the empty table an open
    # shows first must not make the view lay itself out again (a scroll bar appearing narrows the
    # viewport: two more paints of every visible cell)
    services.bus.publish_batch([AppStarted(version=str(i), source="app") for i in range(250)])
    p = EventsPanel(services)
    qtbot.addWidget(p)
    p.resize(900, 500)
    p.show()
    qtbot.waitUntil(lambda: not p.loading and p.model.rowCount() > 0, timeout=5000)
    p.type_box.setEditText("no.such.type")
    qtbot.waitUntil(lambda: not p.loading and p.model.rowCount() == 0, timeout=5000)
    qtbot.wait(200)  # the empty table is painted
    paints = _Paints(p.table.viewport())
    p.clear_filters()
    qtbot.waitUntil(lambda: not p.loading and p.model.rowCount() > 0, timeout=5000)
    qtbot.wait(300)  # every layout and paint the page caused has run
    assert paints.count == 1


def test_events_model_passes_modeltester(panel: EventsPanel, qtmodeltester: object) -> None:
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]


def test_events_panel_pages_lazily(panel: EventsPanel, qtbot: QtBot) -> None:
    assert panel.model.rowCount() == 200
    assert panel.model.canFetchMore()
    with qtbot.waitSignal(panel.model.page_loaded, timeout=5000):
        panel.model.fetchMore()
        panel.model.fetchMore()  # asked again while the page loads: one page, not two
    assert panel.model.rowCount() == 251
    assert not panel.model.canFetchMore()


def test_events_filters(panel: EventsPanel, qtbot: QtBot) -> None:
    panel.type_box.setEditText("credential.*")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=2000)
    panel.clear_filters()
    panel.correlation_edit.setText("corr-1")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=2000)
    panel.clear_filters()
    panel.search_edit.setText('"version":"249"')
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=2000)
    panel.clear_filters()
    panel.source_edit.setText("settings")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=2000)


def test_events_correlation_filter_takes_a_unique_prefix(qtbot: QtBot, services: Services) -> None:
    run = "c0ffee12" + "0" * 24
    services.bus.publish(CredentialSet(name="stripe", source="settings", correlation_id=run))
    services.bus.publish(CredentialSet(name="gumroad", source="settings", correlation_id="d" * 32))
    p = EventsPanel(services)
    qtbot.addWidget(p)
    p.correlation_edit.setText(run[:6])
    qtbot.waitUntil(lambda: p.model.rowCount() == 1, timeout=2000)
    # a live event of that run joins the filtered table (matched by the resolved id, not the typed prefix)
    services.bus.publish(CredentialSet(name="itch", source="settings", correlation_id=run))
    qtbot.waitUntil(lambda: p.model.rowCount() == 2, timeout=2000)


def test_events_time_range_backwards_keeps_the_model_whole(panel: EventsPanel, qtmodeltester: object,
                                                           qtbot: QtBot) -> None:
    """A start after the end is refused with a message; the model is not left inside a reset (a Qt warning)."""
    panel.since_check.setChecked(True)
    panel.until_check.setChecked(True)
    panel.until_edit.setDateTime(panel.since_edit.dateTime().addDays(-1))
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.reload()
    assert "after its end" in panel.summary.text()
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.clear_filters()  # the next reset: Qt warns (and the test fails) if the last one never ended
    assert panel.model.rowCount() == 200 and "200 events shown" in panel.summary.text()
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]


def test_events_detail_shows_payload(panel: EventsPanel) -> None:
    panel.table.selectRow(0)
    text = panel.detail.toPlainText()
    assert '"type": "credential.set"' in text
    assert '"correlation_id": "corr-1"' in text
    assert '"name": "stripe"' in text


def test_events_live_rows_and_counts(panel: EventsPanel, services: Services, qtbot: QtBot) -> None:
    before = panel.model.rowCount()
    services.bus.publish(SettingsChanged(keys=("x",)))
    assert panel.model.rowCount() == before + 1
    assert panel.model.event_at(0).type == "settings.changed"  # type: ignore[union-attr]
    panel.refresh_counts()
    qtbot.waitUntil(lambda: panel.counts.rowCount() == 3, timeout=5000)
    counts = {panel.counts.item(r, 0).text(): panel.counts.item(r, 1).data(Qt.ItemDataRole.DisplayRole) for r in range(3)}
    assert counts == {"app.started": 250, "credential.set": 1, "settings.changed": 1}


def test_events_replay_from_chosen_time(panel: EventsPanel, services: Services, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    got: list[Event] = []
    services.bus.subscribe(CredentialSet, got.append)
    newest = services.bus.history()[0].event
    later = [
        dataclasses.replace(CredentialSet(name="gumroad"), timestamp=newest.timestamp + timedelta(hours=1)),
        dataclasses.replace(SettingsChanged(keys=("late",)), timestamp=newest.timestamp + timedelta(hours=2)),
    ]
    services.bus.publish_batch(later)
    got.clear()
    monkeypatch.setattr(events_panel_module, "ask_confirm", lambda *a: True)
    rows = panel.model.rowCount()
    panel.replay_from.setDateTime(events_panel_module._to_qdt(newest.timestamp + timedelta(minutes=30)))
    with qtbot.waitSignal(panel.status_message) as blocker:
        panel.replay_button.click()
    assert "Replayed 2 events" in blocker.args[0]
    assert [e.name for e in got if isinstance(e, CredentialSet)] == ["gumroad"]
    assert panel.model.rowCount() == rows  # replay adds no rows to the log view


def test_ui_settings_live_in_data_dir(services: Services) -> None:
    s = ui_settings(services.config.data_dir)
    assert isinstance(s, QSettings)
    assert s.fileName().startswith(str(services.config.data_dir))


def test_events_typing_drops_the_stale_queries(panel: EventsPanel, qtbot: QtBot) -> None:
    shown: list[int] = []
    panel.loaded.connect(lambda: shown.append(panel.model.rowCount()))
    for text in ("s", "st", "str", "stripe"):
        panel.search_edit.setText(text)
        panel.reload()  # as if each keystroke outlived the debounce
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    qtbot.wait(200)
    assert shown == [1]  # only "stripe" (the credential event) was ever shown


def test_startup_error_is_shown_in_a_dialog_and_in_every_panel(qtbot: QtBot, tmp_path: Any) -> None:
    from PySide6.QtWidgets import QLabel

    from tests.support.hostile import shown
    from ui.main_window import MainWindow

    window = MainWindow(ui_settings(tmp_path), tmp_path)
    qtbot.addWidget(window)
    message = f"{tmp_path}/trendforge.sqlite3 is truncated (1 of 4096 bytes): restore it from a backup <b>now</b>"
    window.show_startup_error(message)
    qtbot.waitUntil(window.startup_dialog.isVisible)
    assert window.startup_dialog.text() == message
    assert window.startup_dialog.textFormat() == Qt.TextFormat.PlainText  # the message may quote a file name
    labels = window.findChildren(QLabel, "loadingLabel")
    assert labels and all(shown(lbl).endswith(message) for lbl in labels)
    window.startup_dialog.close()


def test_the_saved_theme_is_remembered_for_the_next_start(window: MainWindow, services: Services, qapp: Any) -> None:
    before = QPalette(qapp.palette())
    services.settings.update({"ui.theme": "dark"})
    try:
        window.use_saved_theme()
        # the next start shows it from the first paint, before the services (and their settings) load
        assert remembered_theme(ui_settings(services.config.data_dir)) == "dark"
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 128
    finally:
        qapp.setPalette(before)


def test_a_window_starts_with_the_system_theme_when_none_was_remembered(services: Services) -> None:
    assert remembered_theme(ui_settings(services.config.data_dir)) == "system"


def _nav_icon_lightness(window: MainWindow, title: str) -> int:
    row = next(i for i, spec in enumerate(window.specs) if spec.title == title)
    item = window.nav.item(row)
    assert item is not None
    image = item.icon().pixmap(window.nav.iconSize()).toImage()
    inked = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())
             if image.pixelColor(x, y).alpha() > 128]
    assert inked, f"the {title} icon draws nothing"
    return sorted(c.lightness() for c in inked)[len(inked) // 2]


def test_the_arrow_icons_of_the_navigation_read_on_the_dark_theme(window: MainWindow, services: Services,
                                                                 qapp: Any, qtbot: QtBot) -> None:
    before = QPalette(qapp.palette())
    services.settings.update({"ui.theme": "dark"})
    try:
        window.use_saved_theme()
        # Fusion's arrow glyphs are black: once the new palette reaches the window they are painted in its light
        # text colour
        qtbot.waitUntil(lambda: _nav_icon_lightness(window, "Trends") > 160)
        assert _nav_icon_lightness(window, "Releases") > 160
        services.settings.update({"ui.theme": "light"})
        window.use_saved_theme()
        qtbot.waitUntil(lambda: _nav_icon_lightness(window, "Trends") < 100)
    finally:
        qapp.setPalette(before)


def test_a_window_attached_without_a_health_check_reads_health_only_when_asked(qtbot: QtBot, services: Services) -> None:
    """Start-up asks for the first health read once the first panel is filled, not beside its construction."""
    w = MainWindow(ui_settings(services.config.data_dir), services.config.data_dir)
    qtbot.addWidget(w)
    before = w.health_label.text()
    w.attach(services, check_health_now=False)
    qtbot.waitUntil(job_runtime().settled, timeout=5000)  # every read the attach started has delivered
    assert w.health_label.text() == before
    w.refresh_health()
    qtbot.waitUntil(lambda: "ok" in w.health_label.text(), timeout=5000)
