"""An error's remedy in the desktop app: a status-bar button that opens where the fix is."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.home.model import ItemRef
from app.remedies import ListTemplates, Remedy, RerunRun, SetCredential
from services.bootstrap import Services
from ui.app_runner import create_window
from ui.main_window import MainWindow
from ui.remedies import perform
from ui.settings_dialog import SettingsDialog


@pytest.fixture
def window(qtbot: QtBot, services: Services) -> MainWindow:
    w = create_window(services)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_sync_without_credentials_offers_to_store_one(window: MainWindow, qtbot: QtBot,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    monkeypatch.setattr(SettingsDialog, "ask", classmethod(lambda cls, services, parent=None: opened.append(parent)))
    payments = window.show_panel("Payments")
    with qtbot.waitSignal(payments.sync_finished, timeout=10000):  # type: ignore[attr-defined]
        payments.start_sync()  # type: ignore[attr-defined]
    button = window.remedy_button
    assert button.isVisible() and button.text() == "Store the stripe credential…"
    assert "trendforge" not in window.statusBar().currentMessage()  # the message names no command
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert opened == [window] and not button.isVisible()


def test_the_remedy_goes_with_its_message(window: MainWindow, qtbot: QtBot) -> None:
    window.statusBar().showMessage("no template 'x'")
    window.remedy_button.offer(ListTemplates())
    assert window.remedy_button.isVisible()
    window.statusBar().showMessage("templates loaded")
    assert not window.remedy_button.isVisible()


def test_a_list_remedy_shows_its_panel(window: MainWindow) -> None:
    perform(window, ListTemplates())
    assert window.current_title() == "Templates"


class _Host:
    """Records where :func:`perform` went (the window's navigation is covered above)."""

    def __init__(self) -> None:
        self.went: list[str] = []

    def show_panel(self, title: str) -> QWidget:
        self.went.append(title)
        return QWidget()

    def open_item(self, ref: ItemRef) -> QWidget:
        self.went.append(f"{ref.area.value}:{ref.item_id}")
        return QWidget()

    def open_settings(self) -> None:
        self.went.append("settings")


def _example(cls: type[Remedy]) -> Remedy:
    return cls(**dict.fromkeys(cls.__slots__, "x"))


@pytest.mark.parametrize("cls", sorted(Remedy.__subclasses__(), key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_every_remedy_leads_somewhere_in_the_app(cls: type[Remedy], qtbot: QtBot) -> None:
    host = _Host()
    perform(host, _example(cls))
    assert len(host.went) == 1


def test_a_credential_remedy_opens_the_settings() -> None:
    host = _Host()
    perform(host, SetCredential("gumroad"))
    assert host.went == ["settings"]




def test_a_workflow_run_remedy_opens_that_run() -> None:
    host = _Host()
    perform(host, RerunRun("3f9a", "build", force=True))
    assert host.went == ["Workflows:3f9a"]
