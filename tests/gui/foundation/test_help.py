"""F1 opens the bundled help: README's sections, the template format and the shortcut list; About is under Help."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.app_runner import create_window
from ui.help_dialog import SHORTCUTS, TEMPLATE_FORMAT, HelpDialog, readme_sections


def test_f1_opens_help_with_readme_sections_template_format_and_shortcuts(qtbot: QtBot, services: Any) -> None:
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.help_dialog
    assert isinstance(dialog, HelpDialog) and dialog.isVisible()
    topics = [dialog.topics.item(i).text() for i in range(dialog.topics.count())]
    assert topics[0] == "Home" and {"Builds", TEMPLATE_FORMAT, SHORTCUTS} <= set(topics)
    dialog.topics.setCurrentRow(topics.index(TEMPLATE_FORMAT))
    assert "template.json" in dialog.browser.toPlainText()
    dialog.topics.setCurrentRow(topics.index(SHORTCUTS))
    text = dialog.browser.toPlainText()
    assert "Go to" in text and "Ctrl+K" in text and "Settings" in text
    dialog.close()


def test_about_is_under_help(qtbot: QtBot, services: Any) -> None:
    window = create_window(services)
    qtbot.addWidget(window)
    names = [a.text().replace("&", "") for a in window.help_menu.actions() if a.text()]
    assert names == ["TrendForge help", "Keyboard shortcuts", "About TrendForge"]


def test_readme_sections_drop_screenshots() -> None:
    text = "# T\n\n## Home\n\nWords.\n\n![shot](docs/x.png)\n| a | b |\n| ![x](y.png) | ![z](w.png) |\n\n## Data\n\nMore.\n"
    sections = readme_sections(text)
    assert list(sections) == ["Home", "Data"]
    assert "png" not in sections["Home"] and "Words." in sections["Home"]
