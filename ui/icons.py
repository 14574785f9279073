"""Icons from the bundled resources (importlib.resources, so frozen builds find them)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon, QPixmap


@cache
def app_icon() -> QIcon:
    # PNG (built into Qt) rather than SVG: no image plugin to load before the first window
    data = (resources.files("resources.icons") / "trendforge.png").read_bytes()
    pix = QPixmap()
    pix.loadFromData(data, "PNG")
    return QIcon(pix)
