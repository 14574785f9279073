"""Start the GUI: QApplication + MainWindow on a qasync event loop."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import app as core
from app.errors import TrendForgeError
from services.bootstrap import ServiceManager, bootstrap
from services.config import AppConfig
from ui.icons import app_icon
from ui.main_window import MainWindow
from ui.theme import apply_theme


def ui_settings(data_dir: Path) -> QSettings:
    """Window state lives beside the data, so each data dir (and each test) has its own."""
    return QSettings(str(data_dir / "ui.ini"), QSettings.Format.IniFormat)


def create_window(services: ServiceManager, *, first_run: bool = False) -> MainWindow:
    return MainWindow(services, ui_settings(services.config.data_dir), first_run=first_run)


def run_gui(data_dir: str | None = None, *, quit_after: float | None = None) -> int:
    if quit_after is None and os.environ.get("TRENDFORGE_QUIT_AFTER"):
        quit_after = float(os.environ["TRENDFORGE_QUIT_AFTER"])
    qapp = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("TrendForge")
    qapp.setOrganizationName("TrendForge")
    qapp.setApplicationVersion(core.__version__)
    qapp.setWindowIcon(app_icon())
    qapp.setDesktopFileName("trendforge")

    import qasync  # after PySide6, so qasync binds to it

    config = AppConfig.from_env(data_dir)
    first_run = not config.db_path.exists()
    try:
        services = bootstrap(config)
    except (TrendForgeError, OSError) as exc:
        QMessageBox.critical(None, "TrendForge cannot start", f"{exc}\n\nData directory: {config.data_dir}")
        return 1
    if first_run:
        sys.stderr.write(f"TrendForge: created data directory {config.data_dir}\n")
    apply_theme(qapp, str(services.settings.get("ui.theme", "system")))

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    window = create_window(services, first_run=first_run)
    window.show()

    report = os.environ.get("TRENDFORGE_STARTUP_REPORT")
    if report:
        # the first turn of the event loop after show(): the window has been exposed
        QTimer.singleShot(0, lambda: Path(report).write_text(f"{time.time():.6f}\n"))
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), window.close)

    closed = asyncio.Event()
    qapp.aboutToQuit.connect(closed.set)
    qapp.lastWindowClosed.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        QThreadPool.globalInstance().waitForDone(5000)
        services.close()
    return 0
