"""Ctrl+K finds items by name or id prefix and opens them selected, by keyboard."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.home.model import Area
from ui.app_runner import create_window
from ui.main_window import MainWindow
from ui.quick_switcher import QuickSwitcher


def open_switcher(qtbot: QtBot, services: Any) -> tuple[MainWindow, QuickSwitcher]:
    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    switcher = window.quick_switcher
    assert isinstance(switcher, QuickSwitcher) and switcher.isVisible()
    return window, switcher


def search(qtbot: QtBot, switcher: QuickSwitcher, text: str) -> list[str]:
    with qtbot.waitSignal(switcher.searched, timeout=5000, check_params_cb=lambda t: t == text):
        qtbot.keyClicks(switcher.edit, text)
    return [switcher.results.item(i).text() for i in range(switcher.results.count())]


def test_a_trend_is_found_by_name_and_opened_by_enter(qtbot: QtBot, busy: Any) -> None:
    window, switcher = open_switcher(qtbot, busy)
    labels = search(qtbot, switcher, "cozy")
    assert labels == ["Trend  Cozy games"]
    qtbot.keyClick(switcher.edit, Qt.Key.Key_Return)
    assert window.current_title() == Area.TRENDS.value
    panel = window.panels["Trends"]
    qtbot.waitUntil(lambda: "Cozy games" in panel.detail_title.text(), timeout=5000)


def test_a_build_is_found_by_id_prefix(qtbot: QtBot, busy: Any) -> None:
    window, switcher = open_switcher(qtbot, busy)
    labels = search(qtbot, switcher, "1b1b")
    assert len(labels) == 1 and labels[0].startswith("Build  1b1b1b1b quotes-daily 1.1.0 — failed")
    qtbot.keyClick(switcher.edit, Qt.Key.Key_Return)
    panel = window.panels["Builds"]
    qtbot.waitUntil(lambda: panel.selected() is not None and panel.selected().id == "1b" * 16, timeout=5000)


def test_down_arrow_picks_the_second_result(qtbot: QtBot, busy: Any) -> None:
    window, switcher = open_switcher(qtbot, busy)
    labels = search(qtbot, switcher, "quotes")  # the template area is empty here: two builds of quotes-daily
    assert len(labels) == 2
    qtbot.keyClick(switcher.edit, Qt.Key.Key_Down)
    qtbot.keyClick(switcher.edit, Qt.Key.Key_Return)
    panel = window.panels["Builds"]
    qtbot.waitUntil(lambda: panel.selected() is not None and panel.selected().id == "0b" * 16, timeout=5000)


def test_a_payment_is_found_by_id_prefix(qtbot: QtBot, busy: Any) -> None:
    failed = busy.payments.failed()[0]
    _window, switcher = open_switcher(qtbot, busy)
    labels = search(qtbot, switcher, failed.id[:6])
    assert any(label.startswith(f"Payment  {failed.id[:8]} 9.99 USD via stripe") for label in labels)
