"""A new maker's first run by keyboard only: import the samples, create an upload key, build."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.builds.outcome import FINISHED
from app.home.model import GuideStep
from ui.app_runner import create_window
from ui.panels.home_panel import HomePanel


def tab_to(qtbot: QtBot, target: QWidget, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus; fails if Tab never reaches it."""
    for _ in range(limit):
        focused = QApplication.focusWidget()
        if focused is target:
            return
        assert focused is not None, "nothing has the keyboard focus"
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName() or type(target).__name__} ({target.accessibleName()})")


def press(qtbot: QtBot, target: QWidget) -> None:
    tab_to(qtbot, target)
    qtbot.keyClick(target, Qt.Key.Key_Space)


@pytest.mark.slow  # a real Android build (aapt2, d8, apksigner), not through the builds fixture
def test_import_key_and_build_by_keyboard_only(qtbot: QtBot, services: Any) -> None:
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    home = window.panel("Home")
    assert isinstance(home, HomePanel)
    qtbot.waitUntil(lambda: home.overview is not None, timeout=5000)
    window.nav.setFocus()

    press(qtbot, home.guide.buttons[GuideStep.SAMPLES])
    qtbot.waitUntil(lambda: home.guide.state()[GuideStep.SAMPLES], timeout=15000)

    press(qtbot, home.guide.buttons[GuideStep.UPLOAD_KEY])
    dialog = home.keys_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.alias, timeout=5000)
    qtbot.keyClicks(dialog.alias, "upload")
    press(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: home.guide.state()[GuideStep.UPLOAD_KEY], timeout=60000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)

    window.activateWindow()  # a window manager does this when a dialog closes; the offscreen platform does not
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    press(qtbot, home.guide.buttons[GuideStep.FIRST_BUILD])
    assert window.current_title() == "Builds"
    builds = window.panels["Builds"]
    qtbot.waitUntil(lambda: builds.template_box.count() == 3 and builds.key_box.currentText() == "upload", timeout=10000)
    press(qtbot, builds.build_button)
    qtbot.waitUntil(lambda: bool(services.builds.list_builds()) and FINISHED(services.builds.list_builds()[0]),
                    timeout=180000)
    assert services.builds.list_builds()[0].state.value == "signed", services.builds.list_builds()[0].error

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_title() == "Home"
    qtbot.waitUntil(lambda: home.guide.state()[GuideStep.FIRST_BUILD], timeout=10000)


def test_one_tab_from_the_navigation_reaches_the_first_step_to_do(qtbot: QtBot, services: Any) -> None:
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    home = window.panel("Home")
    assert isinstance(home, HomePanel)
    qtbot.waitUntil(lambda: home.overview is not None, timeout=5000)
    window.nav.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.nav, timeout=5000)
    qtbot.keyClick(window.nav, Qt.Key.Key_Tab)  # no stop on the scroll area around the panel
    assert QApplication.focusWidget() is home.guide.buttons[GuideStep.SAMPLES]
