"""The first-run guide's 'Back up the upload key' step: done by exporting the key from the keys dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.home.model import GuideStep
from services.events.store import EventQuery
from ui.app_runner import create_window
from ui.panels.builds.keys_dialog import KeysDialog
from ui.panels.home_panel import HomePanel


@pytest.mark.child_process
def test_the_backup_step_exports_the_key_and_ticks(qtbot: QtBot, services: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    services.builds.create_key("upload", dname="CN=Backup Test, O=Tests, C=US")
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    home = window.panel("Home")
    assert isinstance(home, HomePanel)
    qtbot.waitUntil(lambda: home.overview is not None, timeout=5000)
    state = home.guide.state()
    assert state[GuideStep.UPLOAD_KEY] and not state[GuideStep.KEY_BACKUP]
    assert "1 of 1 key not backed up yet" in home.guide.details[GuideStep.KEY_BACKUP].text()

    target = tmp_path / "upload-backup.p12"
    monkeypatch.setattr(KeysDialog, "ask_export_path", classmethod(lambda cls, parent, alias: str(target)))
    home.guide.buttons[GuideStep.KEY_BACKUP].click()
    dialog = home.keys_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.export_button, timeout=5000)  # ready to press
    assert dialog.table.currentRow() == 0 and dialog.table.item(0, 3).text() == "not backed up"
    dialog.export_button.click()
    qtbot.waitUntil(lambda: home.guide.state()[GuideStep.KEY_BACKUP], timeout=10000)
    assert target.read_bytes() == Path(services.builds.list_keys()[0].keystore_path).read_bytes()
    assert "1 key backed up" in home.guide.details[GuideStep.KEY_BACKUP].text()
    qtbot.waitUntil(lambda: dialog.table.item(0, 3).text() == "✓ exported", timeout=5000)
    [stored] = services.bus.history(EventQuery(types=["key.exported"]))
    assert stored.event.alias == "upload" and "password" not in str(stored.event.payload()).lower()
    dialog.reject()
