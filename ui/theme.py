"""Themes: system, light, dark (Fusion palettes).

Light and dark set every role the app draws with, in the Active/Inactive groups and in the
Disabled group (dimmed text on a flat button), so a disabled control looks disabled. Each
text role meets 4.5:1 against its background; the status colours are in ``ui.colors``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from ui.colors import is_dark, retone

if TYPE_CHECKING:  # Qt Charts (its library and module) loads with the first panel that draws a chart, not the window
    from PySide6.QtCharts import QChart

THEMES = ("system", "light", "dark")

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# role -> (enabled, disabled)
PALETTES: dict[str, dict[QPalette.ColorRole, tuple[str, str]]] = {
    "light": {
        Role.Window: ("#f2f2f2", "#f2f2f2"),
        Role.WindowText: ("#1f1f1f", "#8f8f8f"),
        Role.Base: ("#ffffff", "#f2f2f2"),
        Role.AlternateBase: ("#f6f6f6", "#f2f2f2"),
        Role.Text: ("#1f1f1f", "#8f8f8f"),
        Role.Button: ("#e4e4e4", "#ececec"),
        Role.ButtonText: ("#1f1f1f", "#9a9a9a"),
        Role.Highlight: ("#1f5fc8", "#c9c9c9"),
        Role.HighlightedText: ("#ffffff", "#6e6e6e"),
        Role.ToolTipBase: ("#ffffdc", "#ffffdc"),
        Role.ToolTipText: ("#1f1f1f", "#1f1f1f"),
        Role.PlaceholderText: ("#696969", "#a0a0a0"),
        Role.Link: ("#1456b0", "#8f8f8f"),
        Role.LinkVisited: ("#6a2ca0", "#8f8f8f"),
        Role.BrightText: ("#ffffff", "#ffffff"),
    },
    "dark": {
        Role.Window: ("#2b2d30", "#2b2d30"),
        Role.WindowText: ("#e6e6e6", "#7d8085"),
        Role.Base: ("#1e1f22", "#26282b"),
        Role.AlternateBase: ("#25272a", "#26282b"),
        Role.Text: ("#e6e6e6", "#7d8085"),
        Role.Button: ("#3c3f41", "#2f3134"),
        Role.ButtonText: ("#e6e6e6", "#72757a"),
        Role.Highlight: ("#2f65d0", "#45484c"),
        Role.HighlightedText: ("#ffffff", "#9a9da2"),
        Role.ToolTipBase: ("#3c3f41", "#3c3f41"),
        Role.ToolTipText: ("#e6e6e6", "#e6e6e6"),
        Role.PlaceholderText: ("#9da1a6", "#6b6e73"),
        Role.Link: ("#8ab4f8", "#7d8085"),
        Role.LinkVisited: ("#d7a1e3", "#7d8085"),
        Role.BrightText: ("#ffffff", "#ffffff"),
    },
}


def palette_for(theme: str) -> QPalette:
    """The palette of ``light`` or ``dark``."""
    palette = QPalette()
    for role, (enabled, disabled) in PALETTES[theme].items():
        for group in (Group.Active, Group.Inactive):
            palette.setColor(group, role, QColor(enabled))
        palette.setColor(Group.Disabled, role, QColor(disabled))
    return palette


def apply_theme(app: QApplication, theme: str) -> None:
    """Switch the theme while the app runs: the palette, and every status colour already on screen."""
    if theme not in THEMES:
        theme = "system"
    if theme == "system":
        app.setPalette(app.style().standardPalette())
    else:
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(palette_for(theme))
    widgets = app.allWidgets()
    retone(widgets)
    if "PySide6.QtCharts" not in sys.modules:  # then no chart exists yet: each one made later takes chart_theme()
        return
    from PySide6.QtCharts import QChartView

    for w in widgets:  # charts draw their own background: give them the theme's
        if isinstance(w, QChartView):
            w.chart().setTheme(chart_theme())


def chart_theme() -> QChart.ChartTheme:
    """The chart theme that matches the application palette (a light chart is a white box on the dark theme)."""
    from PySide6.QtCharts import QChart

    return QChart.ChartTheme.ChartThemeDark if is_dark() else QChart.ChartTheme.ChartThemeLight
