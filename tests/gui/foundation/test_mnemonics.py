"""Alt+letter mnemonics: each panel's main buttons have one, and no two controls of a panel (nor the menu bar)
share a letter, so Alt+letter always reaches one control."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from ui.app_runner import create_window
from ui.main_window import panel_specs

MAIN_BUTTONS = {
    "Home": ["resume_button", "approve_button", "reject_button"],
    "Templates": ["new_button", "edit_button", "delete_button", "export_button", "import_button"],
    "Payments": ["sync_button", "charge_button", "refund_button", "retry_button", "export_button",
                 "template_button", "link_button", "import_button"],
    "Trends": ["sync_button", "import_button", "make_button"],
    "Builds": ["build_button", "keys_button", "cancel_button", "retry_button", "open_button", "copy_button"],
    "Workflows": ["run_button", "import_button", "resume_button", "compensate_button", "cancel_button",
                  "rerun_button", "approve_button", "reject_button"],
    "Events": ["counts_refresh", "replay_button"],
}


def mnemonic(text: str) -> str:
    """The letter Alt reaches in ``text`` ('' when it has none)."""
    return QKeySequence.mnemonic(text).toString().removeprefix("Alt+")


def mnemonics(root: QWidget) -> list[tuple[str, str]]:
    """(letter, text) of every button and buddy label under ``root`` that has a mnemonic."""
    out = []
    for w in root.findChildren(QWidget):
        if isinstance(w, QAbstractButton) or (isinstance(w, QLabel) and w.buddy() is not None):
            text = w.text()
            if letter := mnemonic(text):
                out.append((letter, text))
    return out


@pytest.fixture
def window(qtbot: QtBot, services: Any) -> Any:
    window = create_window(services)
    qtbot.addWidget(window)
    return window


@pytest.mark.parametrize("title", sorted(MAIN_BUTTONS))
def test_the_main_buttons_of_a_panel_have_a_mnemonic(window: Any, title: str) -> None:
    panel = window.show_panel(title)
    missing = [name for name in MAIN_BUTTONS[title] if not mnemonic(getattr(panel, name).text())]
    assert not missing, f"{title}: no Alt+letter on {missing}"


@pytest.mark.parametrize("title", [s.title for s in panel_specs()])
def test_no_two_controls_of_a_panel_share_a_letter(window: Any, title: str) -> None:
    menu = [(mnemonic(a.text()), f"menu {a.text()}") for a in window.menuBar().actions() if mnemonic(a.text())]
    seen: dict[str, str] = {}
    clashes = []
    for letter, text in menu + mnemonics(window.show_panel(title)):
        if letter in seen:
            clashes.append(f"Alt+{letter}: {seen[letter]!r} and {text!r}")
        seen[letter] = text
    assert not clashes, f"{title}: " + "; ".join(clashes)
