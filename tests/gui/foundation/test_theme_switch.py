"""A theme switch while the app runs re-colours status text already on screen (style sheets and rich text)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from ui.colors import DARK, LIGHT, Tone, tone_span, tone_style
from ui.theme import apply_theme


@pytest.fixture
def light(qapp: QApplication) -> Iterator[QApplication]:
    """Start in the light theme; whatever a test switches to, the next test starts from the palette before."""
    before = QPalette(qapp.palette())
    apply_theme(qapp, "light")
    yield qapp
    qapp.setPalette(before)


def _text_colour(label: QLabel) -> str:
    label.ensurePolished()
    return label.palette().color(label.foregroundRole()).name()


def test_a_toned_label_changes_colour_when_the_theme_does(qtbot: QtBot, light: QApplication) -> None:
    label = QLabel("payment failed")
    qtbot.addWidget(label)
    label.setStyleSheet(tone_style(Tone.ERROR))
    label.show()
    assert _text_colour(label) == LIGHT[Tone.ERROR]
    apply_theme(light, "dark")
    assert _text_colour(label) == DARK[Tone.ERROR]
    apply_theme(light, "light")
    assert _text_colour(label) == LIGHT[Tone.ERROR]


def test_rich_text_status_spans_follow_the_theme(qtbot: QtBot, light: QApplication) -> None:
    label = QLabel(f"{tone_span(Tone.OK, 'synced')} and {tone_span(Tone.WARNING, '2 waiting')}")
    qtbot.addWidget(label)
    apply_theme(light, "dark")
    assert DARK[Tone.OK] in label.text() and DARK[Tone.WARNING] in label.text()
    assert LIGHT[Tone.OK] not in label.text() and "synced" in label.text()


def test_saving_the_dark_theme_in_settings_recolours_an_open_panel(qtbot: QtBot, light: QApplication, services: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.app_runner import create_window
    from ui.settings_dialog import SettingsDialog

    window = create_window(services)
    qtbot.addWidget(window)
    window.show()
    builds = window.show_panel("Builds")
    error = builds.error_label
    assert _text_colour(error) == LIGHT[Tone.ERROR]

    def save_dark(cls: Any, svc: Any, parent: Any = None) -> bool:
        svc.settings.update({"ui.theme": "dark"})
        return True

    monkeypatch.setattr(SettingsDialog, "ask", classmethod(save_dark))
    window.settings_action.trigger()
    assert _text_colour(error) == DARK[Tone.ERROR]


def test_charts_follow_the_theme(qtbot: QtBot, light: QApplication) -> None:
    from PySide6.QtCharts import QChart, QChartView

    from ui.theme import chart_theme

    view = QChartView(QChart())
    qtbot.addWidget(view)
    view.chart().setTheme(chart_theme())
    assert view.chart().theme() == QChart.ChartTheme.ChartThemeLight
    apply_theme(light, "dark")
    assert view.chart().theme() == QChart.ChartTheme.ChartThemeDark  # no white box on the dark theme
    assert view.chart().backgroundBrush().color().lightness() < 128
