"""The Releases view on a real service talking to the Play stand-in over loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

import ui.panels.releases_panel as releases_panel
from services.bootstrap import Services
from services.events.store import EventQuery
from tests.support.play_standin import PlayStandIn
from ui.panels.releases_panel import ReleasesPanel
from ui.settings_dialog import SettingsDialog

from .conftest import PACKAGE


@pytest.fixture
def panel(qtbot: Any, services: Services, play: PlayStandIn) -> ReleasesPanel:
    widget = ReleasesPanel(services)
    qtbot.addWidget(widget)
    widget.resize(1100, 640)
    # the key and the app ids are read first (off the GUI thread); then the app is chosen and read from Play
    qtbot.waitUntil(lambda: widget.account_label.text() != "", timeout=20_000)
    widget.app_box.setCurrentText(PACKAGE)
    with qtbot.waitSignal(widget.loaded, timeout=20_000):
        widget.reload()
    return widget


def cells(panel: ReleasesPanel) -> list[list[str]]:
    t = panel.tracks_table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_the_view_shows_each_track_with_its_releases_and_the_listing(panel: ReleasesPanel) -> None:
    assert cells(panel) == [
        ["alpha", "-", "(no release)", "-", ""],
        ["beta", "-", "(no release)", "-", ""],
        ["internal", "10200", "completed", "-", ""],
        ["production", "10000", "completed", "-", "en-US: First release"],
        ["production", "10100", "inProgress", "10%", "en-US: Streaks and a dark theme"],
    ]
    assert panel.listing_table.item(0, 1).text() == "Trivia Quiz"
    assert "publisher@" in panel.account_label.text()
    # production has a running rollout: roll out, halt and complete apply; resume does not
    assert panel.rollout_button.isEnabled() and panel.halt_button.isEnabled() and panel.complete_button.isEnabled()
    assert not panel.resume_button.isEnabled()
    assert panel.fraction_spin.value() == 10.0  # starts at the running rollout's fraction


def test_a_rollout_shows_what_changes_asks_then_sends_and_notifies(
        qtbot: Any, panel: ReleasesPanel, play: PlayStandIn, services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(releases_panel, "ask_confirm", lambda _p, _t, text: asked.append(text) or True)
    panel.fraction_spin.setValue(50.0)
    with qtbot.waitSignal(panel.notify_requested, timeout=20_000) as notified:
        qtbot.mouseClick(panel.rollout_button, Qt.MouseButton.LeftButton)
    assert "production: 10100 inProgress 10% -> 10100 inProgress 50%" in asked[0]
    assert notified.args == ["Roll out: com.trendforge.trivia",
                             "production: 10100 inProgress 10% -> 10100 inProgress 50%"]
    assert play.track(PACKAGE, "production")[1]["userFraction"] == 0.5
    qtbot.waitUntil(lambda: cells(panel)[4][3] == "50%", timeout=20_000)
    assert services.events.history(EventQuery(types=["release.rolled_out"]))


def test_declining_sends_nothing(qtbot: Any, panel: ReleasesPanel, play: PlayStandIn,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(releases_panel, "ask_confirm", lambda *_a: False)
    commits = len(play.commits)
    qtbot.mouseClick(panel.halt_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.message.text() == "Nothing was sent to Google Play.", timeout=20_000)
    assert len(play.commits) == commits and play.track(PACKAGE, "production")[1]["status"] == "inProgress"


def test_promote_from_internal_to_beta(qtbot: Any, panel: ReleasesPanel, play: PlayStandIn,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(releases_panel, "ask_confirm", lambda _p, _t, text: asked.append(text) or True)
    panel.track_box.setCurrentText("beta")
    panel.from_box.setCurrentText("internal")
    assert panel.promote_button.isEnabled() and not panel.halt_button.isEnabled()
    with qtbot.waitSignal(panel.notify_requested, timeout=20_000):
        qtbot.mouseClick(panel.promote_button, Qt.MouseButton.LeftButton)
    assert "beta: add 10200 completed" in asked[0]
    assert play.track(PACKAGE, "beta") == [{"versionCodes": ["10200"], "status": "completed"}]


def test_a_refusal_is_shown_in_the_panel(qtbot: Any, panel: ReleasesPanel, play: PlayStandIn) -> None:
    play.grants.clear()
    panel.reload()
    qtbot.waitUntil(lambda: "has no access to com.trendforge.trivia" in panel.message.text(), timeout=20_000)
    assert panel.refresh_button.isEnabled()


def test_settings_takes_the_key_from_a_file_picker(qtbot: Any, services: Services, play: PlayStandIn,
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    account = play.add_account("second@trendforge-test.iam.gserviceaccount.com")
    key_file = tmp_path / "second.json"
    key_file.write_text(play.key_json(account))
    monkeypatch.setattr(SettingsDialog, "ask_play_key_file", classmethod(lambda cls, _p: str(key_file)))
    dlg = SettingsDialog(services)
    qtbot.addWidget(dlg)
    dlg.play_choose.click()
    assert dlg.play_state.text() == f"✔ {account.email}"
    assert services.releases.account() == account.email
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    monkeypatch.setattr(SettingsDialog, "ask_play_key_file", classmethod(lambda cls, _p: str(bad)))
    dlg.play_choose.click()
    assert "lacks" in dlg.error.text() and services.releases.account() == account.email


def test_the_track_boxes_offer_the_closed_testing_tracks_play_has(qtbot: Any, services: Services,
                                                                  play: PlayStandIn) -> None:
    play.add_track(PACKAGE, "qa-team")
    widget = ReleasesPanel(services)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.account_label.text() != "", timeout=20_000)
    widget.app_box.setCurrentText(PACKAGE)
    with qtbot.waitSignal(widget.loaded, timeout=20_000):
        widget.reload()
    names = [widget.track_box.itemText(i) for i in range(widget.track_box.count())]
    assert names == ["alpha", "beta", "internal", "production", "qa-team"]
    assert widget.track_box.currentText() == "production"  # what was chosen stays chosen
    assert ["qa-team", "-", "(no release)", "-", ""] in cells(widget)


def test_an_app_chosen_before_the_ids_are_read_is_read_from_play_once(qtbot: Any, services: Services,
                                                                      play: PlayStandIn) -> None:
    widget = ReleasesPanel(services)
    qtbot.addWidget(widget)
    widget.app_box.setCurrentText(PACKAGE)  # typed at once, while the key and the app ids are still being read
    with qtbot.waitSignal(widget.loaded, timeout=20_000):
        widget.reload()
    qtbot.waitUntil(lambda: widget.account_label.text() != "", timeout=20_000)
    # the ids' answer came: a second read would have started in that same callback (the view busy again)
    assert widget.refresh_button.isEnabled()
    inserts = [path for method, path in play.calls if method == "POST" and path.endswith("/edits")]
    assert len(inserts) == 2  # one read: the tracks and the listing, one edit each


def test_opening_the_view_makes_no_http_client_on_the_gui_thread(qtbot: Any, services: Services,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """An HTTP client loads the CA bundle (~100 ms): the service makes its client at the first request,
    which the view sends from a worker, not when the view first asks for the service."""
    import threading

    import httpx

    made_on: list[threading.Thread] = []
    real_init = httpx.Client.__init__

    def spy(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        made_on.append(threading.current_thread())
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "__init__", spy)
    widget = ReleasesPanel(services)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.account_label.text() != "", timeout=20_000)
    assert threading.main_thread() not in made_on


def test_the_app_ids_are_read_in_one_query_not_a_whole_template_each(qtbot: Any, services: Services) -> None:
    """The app box lists the application ids of the templates page; reading each template whole for
    its id kept every one (its content) in the templates' cache: 200 of them, ~1 MB, in the idle window."""
    from sqlalchemy import event

    from services.templates.seed import seed_synthetic

    seed_synthetic(services.ctx, 30)
    reads: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM templates" in statement:
            reads.append(statement)

    event.listen(services.ctx.engine, "before_cursor_execute", seen)
    widget = ReleasesPanel(services)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.account_label.text() != "", timeout=20_000)
    event.remove(services.ctx.engine, "before_cursor_execute", seen)
    ids = [widget.app_box.itemText(i) for i in range(widget.app_box.count())]
    assert ids == sorted(f"com.synthetic.app{i}" for i in range(30))
    assert len(reads) == 2  # the page of templates, then their ids
