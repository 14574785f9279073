"""Icons from the bundled resources (importlib.resources, so frozen builds find them)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon, QPixmap


@cache
def app_icon() -> QIcon:
    data = (resources.files("resources.icons") / "trendforge.svg").read_bytes()
    pix = QPixmap()
    pix.loadFromData(data, "SVG")
    return QIcon(pix)
