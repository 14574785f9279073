"""Icons from the bundled resources (importlib.resources, so frozen builds find them)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle


@cache
def app_icon() -> QIcon:
    # PNG (built into Qt) rather than SVG: no image plugin to load before the first window
    data = (resources.files("resources.icons") / "trendforge.png").read_bytes()
    pix = QPixmap()
    pix.loadFromData(data, "PNG")
    return QIcon(pix)


# Fusion draws these as black glyphs whatever the palette: on a dark theme they vanish.
GLYPHS = frozenset({QStyle.StandardPixmap.SP_ArrowUp, QStyle.StandardPixmap.SP_ArrowDown,
                    QStyle.StandardPixmap.SP_ArrowForward, QStyle.StandardPixmap.SP_ArrowBack,
                    QStyle.StandardPixmap.SP_ArrowLeft, QStyle.StandardPixmap.SP_ArrowRight})


def themed_icon(style: QStyle, which: QStyle.StandardPixmap, palette: QPalette, size: QSize) -> QIcon:
    """A standard icon; a one-colour glyph is painted in the palette's text colour so it reads on any theme."""
    icon = style.standardIcon(which)
    if which not in GLYPHS:
        return icon
    pix = icon.pixmap(size)
    painter = QPainter(pix)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(pix.rect(), palette.color(QPalette.ColorRole.WindowText))
    painter.end()
    return QIcon(pix)
