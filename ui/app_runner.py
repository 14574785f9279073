"""Start the GUI: QApplication + MainWindow on a qasync event loop.

The window is shown first; the service layer (SQLAlchemy, migrations, every area) is imported
on a worker thread meanwhile and attached on the GUI thread when ready, so the window appears
at once and never freezes while the app loads.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

import app as core
from services.config import AppConfig
from ui.background import run_in_background
from ui.icons import app_icon
from ui.main_window import MainWindow
from ui.theme import apply_theme

if TYPE_CHECKING:
    from services.bootstrap import ServiceManager

HEAVY_MODULES = ("services.bootstrap",)


def ui_settings(data_dir: Path) -> QSettings:
    """Window state lives beside the data, so each data dir (and each test) has its own."""
    return QSettings(str(data_dir / "ui.ini"), QSettings.Format.IniFormat)


def create_window(services: ServiceManager, *, first_run: bool = False) -> MainWindow:
    """A window with its services attached at once (tests, and anything that has services already)."""
    window = MainWindow(ui_settings(services.config.data_dir), services.config.data_dir, first_run=first_run)
    window.attach(services)
    return window


def _import_heavy() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


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

    config = AppConfig.from_env(data_dir)
    first_run = not config.db_path.exists()  # bootstrap creates the data dir (or says why it cannot)
    if first_run:
        sys.stderr.write(f"TrendForge: created data directory {config.data_dir}\n")

    window = MainWindow(ui_settings(config.data_dir), config.data_dir, first_run=first_run)
    window.show()
    qapp.processEvents()  # expose and paint the window before anything slower happens
    report = os.environ.get("TRENDFORGE_STARTUP_REPORT")
    if report:
        Path(report).write_text(f"shown {time.time():.6f}\n")

    import asyncio

    import qasync  # after PySide6, so qasync binds to it

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    holder: dict[str, ServiceManager] = {}

    def attach(_: object) -> None:
        from app.errors import TrendForgeError
        from services.bootstrap import bootstrap

        try:
            services = bootstrap(config)
        except (TrendForgeError, OSError) as exc:
            window.show_startup_error(f"{exc}\n\nData directory: {config.data_dir}")
            if report:
                with Path(report).open("a") as fh:
                    fh.write(f"error {exc}\n")
            return
        holder["services"] = services
        apply_theme(qapp, str(services.settings.get("ui.theme", "system")))
        window.attach(services)
        if report:
            with Path(report).open("a") as fh:
                fh.write(f"ready {time.time():.6f}\n")

    def import_failed(exc: Exception) -> None:
        window.show_startup_error(f"{type(exc).__name__}: {exc}")

    # start loading once the window is on screen, so the loader does not compete with showing it
    QTimer.singleShot(0, lambda: run_in_background(_import_heavy, attach, import_failed, window))
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), qapp.closeAllWindows)  # the window and any dialog it shows

    closed = asyncio.Event()
    qapp.aboutToQuit.connect(closed.set)
    qapp.lastWindowClosed.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        QThreadPool.globalInstance().waitForDone(5000)
        if "services" in holder:
            holder["services"].close()
    return 0
