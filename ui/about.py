"""About dialog with the versions of everything that matters for a bug report."""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

import app

PACKAGES = ("sqlalchemy", "alembic", "qasync", "httpx", "stripe", "keyring", "tenacity", "cachetools")


def versions() -> dict[str, str]:
    import platform
    from importlib import metadata

    out = {
        "TrendForge": app.__version__,
        "Python": sys.version.split()[0],
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Platform": platform.platform(),
    }
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def show_about(parent: QWidget) -> None:
    rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in versions().items())
    QMessageBox.about(
        parent,
        "About TrendForge",
        "<h3>TrendForge</h3><p>Turn internet trends into template-based Android apps, and sell them.</p>"
        f"<table>{rows}</table>",
    )
